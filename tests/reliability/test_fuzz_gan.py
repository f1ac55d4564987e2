"""Fuzzing ``GAN(...)`` and ``GAN.compile(...)`` with random arguments.

The property: every combination either builds a compiled model holding the
values asked for, or raises a TypeError/ValueError whose message names an
argument that was wrong. Nothing is trained.
"""

import math

import keras
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from tfgan_lite import losses, models
from tfgan_lite.gans.gan import GAN

# The example count comes from the Hypothesis profile (tests/conftest.py).
EXAMPLES = settings(deadline=None)
LATENT_DIM = 4
# Built once: a GAN only wraps its networks, so examples can share them.
NETWORKS = models.mlp(latent_dim=LATENT_DIM, hidden=8, depth=1)

_valid = st.sampled_from([True] * 5 + [False])


def _either(valid, invalid):
    return _valid.flatmap(lambda ok: valid if ok else invalid)


_WILD = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(),
    st.text(max_size=12),
    st.just(np.int64(2)),
    st.just(np.float32(0.5)),
    st.tuples(st.integers(), st.integers()),
    st.just({"a": 1}),
)
_optimizer = _either(
    st.sampled_from([None, "adam", "sgd", "rmsprop", "Adam"]),
    st.one_of(_WILD, st.sampled_from(["nope", {"class_name": "Nope"}])),
)
_loss = _either(
    st.sampled_from([*losses.names(), "Non-Saturating", " hinge "]),
    st.one_of(_WILD, st.just((losses.hinge_generator_loss,))),
)
_weight = _either(
    st.one_of(st.just(0.0), st.floats(0, 100), st.integers(0, 10)),
    _WILD,
)
CONSTRUCT = {
    "latent_dim": _either(st.sampled_from([None, LATENT_DIM]), _WILD),
    "seed": _either(st.one_of(st.none(), st.integers(0, 2**63 - 1)), _WILD),
    "ema": _either(st.booleans(), _WILD),
}
COMPILE = {
    "g_optimizer": _optimizer,
    "d_optimizer": _optimizer,
    "loss": _loss,
    "d_steps": _either(st.integers(1, 4), _WILD),
    "update": _either(st.sampled_from(["alternating", "simultaneous"]), _WILD),
    "gradient_penalty": _weight,
    "r1_penalty": _weight,
}


def _names_an_argument(error, names):
    message = str(error)
    return any(name in message for name in names)


@EXAMPLES
@given(
    construct=st.fixed_dictionaries(CONSTRUCT),
    compile_kwargs=st.fixed_dictionaries(COMPILE),
)
def test_gan_and_compile_work_or_name_the_argument(construct, compile_kwargs):
    try:
        gan = GAN(*NETWORKS, **construct)
    except (TypeError, ValueError) as e:
        assert _names_an_argument(e, CONSTRUCT), e
        return
    assert gan.latent_dim == LATENT_DIM
    if construct["seed"] is not None:
        assert gan.seed == construct["seed"]
    assert (gan.ema_generator is not None) == construct["ema"]
    try:
        gan.compile(**compile_kwargs)
    except (TypeError, ValueError) as e:
        assert _names_an_argument(e, COMPILE), e
        return
    assert gan.d_steps == compile_kwargs["d_steps"]
    assert gan.update == compile_kwargs["update"]
    assert gan.loss_pair == losses.get(compile_kwargs["loss"])
    for name, value in (
        ("gradient_penalty", gan.gradient_penalty_weight),
        ("r1_penalty", gan.r1_penalty_weight),
    ):
        assert math.isfinite(value) and value == compile_kwargs[name]
    for optimizer in (gan.g_optimizer, gan.d_optimizer):
        assert isinstance(optimizer, keras.optimizers.Optimizer)
    assert gan.g_optimizer is not gan.d_optimizer
