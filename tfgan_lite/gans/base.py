"""The adversarial base: what every model of the package shares.

``AdversarialModel`` is a ``keras.Model`` of two optimizer groups, the
generators and the discriminators. It owns what does not depend on the
game: the networks' type checks and serialization, the training seed, the
metric trackers, the two optimizers and the compile config that saves
them, the guard against training before ``compile``, and ``fit`` and
``evaluate``. A model (``GAN``, ``CycleGAN``) supplies its networks, its
forward pass and its phases, which go through
``tfgan_lite.gans._update.apply_phases``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import ClassVar, TypedDict

import keras
import numpy as np
import tensorflow as tf

from tfgan_lite import losses as losses_lib
from tfgan_lite._validation import (
    check_int,
    find_non_finite,
    shapes_compatible,
)
from tfgan_lite.gans import _keras_compat
from tfgan_lite.gans._update import Phase

__all__ = [
    "KerasOptions",
    "state_variables",
    "D_LOSS",
    "D_NORM",
    "G_LOSS",
    "G_NORM",
    "AdversarialModel",
]

# Tracker names that every model reports.
G_LOSS = "g_loss"
D_LOSS = "d_loss"
G_NORM = "g_grad_norm"
D_NORM = "d_grad_norm"


class KerasOptions(TypedDict, total=False):
    """Keras' own compile settings, which every model's ``compile`` takes.

    They pass through to ``keras.Model.compile``; each model's ``compile``
    takes them as ``**keras_options``, so they are written here once.

    Attributes:
        jit_compile: XLA: True, False, or "auto" (Keras' choice; off on a
            machine without an accelerator). Default "auto".
        steps_per_execution: Training steps per call of the compiled train
            function. Default 1.
        run_eagerly: Run each step eagerly, for debugging. Default False.
        auto_scale_loss: Under the "mixed_float16" policy, wrap both
            optimizers in ``keras.optimizers.LossScaleOptimizer``. Default
            True.
    """

    jit_compile: bool | str
    steps_per_execution: int
    run_eagerly: bool
    auto_scale_loss: bool


_KERAS_DEFAULTS: KerasOptions = {
    "jit_compile": "auto",
    "steps_per_execution": 1,
    "run_eagerly": False,
    "auto_scale_loss": True,
}

# Position of `shuffle` among keras.Model.fit's arguments after `x`.
_FIT_SHUFFLE_INDEX = 7


def _check_finite_array(x, where: str) -> None:
    """Refuses in-memory samples holding NaN or inf before training on them.

    Datasets stream, so tfgan_lite.data checks its sources and
    callbacks.TrainingHealth stops a run on non-finite losses.
    """
    if isinstance(x, tuple) and x:
        x = x[0]
    found = find_non_finite(x)
    if found:
        count, first = found
        raise ValueError(
            f"The samples passed to {where} hold {count} NaN or inf values "
            f"(first at index {first}). Remove or repair them before "
            "training."
        )


def _optimizer(value, name: str) -> keras.optimizers.Optimizer:
    if value is None:
        # Radford et al. 2015 (DCGAN): Adam, lr 2e-4, beta_1 0.5.
        return keras.optimizers.Adam(learning_rate=2e-4, beta_1=0.5)
    try:
        return keras.optimizers.get(value)
    except (ValueError, KeyError, TypeError) as e:
        # A config dict without "class_name" raises KeyError, one with
        # unknown arguments TypeError.
        raise ValueError(
            f"Could not interpret `{name}`={value!r} as a Keras optimizer: {e}"
        ) from None


def _optimizer_pair(
    g_optimizer, d_optimizer
) -> tuple[keras.optimizers.Optimizer, keras.optimizers.Optimizer]:
    """Resolves both optimizer arguments; they must be distinct objects."""
    g_opt = _optimizer(g_optimizer, "g_optimizer")
    d_opt = _optimizer(d_optimizer, "d_optimizer")
    if g_opt is d_opt:
        raise ValueError(
            "g_optimizer and d_optimizer are the same object; each player "
            "needs its own optimizer state. Pass two instances."
        )
    return g_opt, d_opt


def _variables(networks: Sequence[keras.layers.Layer]) -> list:
    return [v for n in networks for v in n.trainable_variables]


def state_variables(model) -> list:
    """All variables that make a model's training state, each once.

    What a step checkpoint saves and a rollback restores.

    The model's weights (networks, EMA copy, noise streams, pools) and the
    variables of its optimizers (``g_optimizer``, ``d_optimizer`` and
    ``optimizer``, where they exist), in a fixed order.
    """
    variables, seen = [], set()
    optimizers = [
        getattr(model, name, None)
        for name in ("g_optimizer", "d_optimizer", "optimizer")
    ]
    groups = [model.weights]
    groups += [o.variables for o in optimizers if o is not None]
    for group in groups:
        for v in group:
            if id(v) not in seen:
                seen.add(id(v))
                variables.append(v)
    return variables


class AdversarialModel(keras.Model):
    """A model of two optimizer groups trained with ``fit``: the base class.

    A subclass passes its networks and tracker names to ``__init__``,
    validates its own compile settings and hands them to
    :meth:`_compile_players`, and supplies the hooks below. It never
    calls ``keras.Model.compile`` itself.

    Class attributes a subclass defines:
        _NETWORK_ARGS: The constructor's network arguments, in order;
            each is an attribute, serialized by ``get_config``.
        _COMPILE_HINT: The call that the "not compiled" error suggests.
        _TRAINING_ONLY: Trackers that ``evaluate`` does not report
            (the gradient norms by default).

    Hooks a subclass defines:
        _metric_names(): The trackers reported now, in log order.
        _real_batch(data): Unpacks and checks one batch of ``fit`` data.
        _train_step(batch): One training step on a checked batch; returns
            the logs.
        _test_losses(batch): The step's outputs on a batch, no update.

    Args:
        networks: Constructor argument name -> Keras layer or model.
        seed: Integer seed of the model's random streams; None picks one.
        trackers: Names of every ``keras.metrics.Mean`` the model may
            report.
        **kwargs: Passed to ``keras.Model`` (e.g. ``name``).

    Raises:
        TypeError: If a network is not a Keras layer or model.
        ValueError: For a negative seed.
    """

    _NETWORK_ARGS: ClassVar[tuple[str, ...]] = ()
    _COMPILE_HINT: ClassVar[str] = "model.compile()"
    # Trackers that evaluation leaves out: it takes no gradients.
    _TRAINING_ONLY: ClassVar[tuple[str, ...]] = (D_NORM, G_NORM)

    def __init__(
        self,
        networks: Mapping[str, keras.layers.Layer],
        *,
        seed: int | None,
        trackers: Sequence[str],
        **kwargs,
    ):
        super().__init__(**kwargs)
        for role, network in networks.items():
            if not isinstance(network, keras.layers.Layer):
                raise TypeError(
                    f"`{role}` must be a keras.Model (or keras.layers.Layer), "
                    f"got {type(network).__name__}."
                )
            setattr(self, role, network)
        if seed is None:
            seed = int(np.random.SeedSequence().generate_state(1)[0] >> 1)
        seed = check_int(seed, "seed", minimum=0)
        # The noise streams keep the seed in an int64 variable.
        self.seed = check_int(seed, "seed", minimum=0, maximum=2**63 - 1)
        self._trackers = {}
        for key in trackers:
            self._add_tracker(key)
        self.loss_pair: losses_lib.LossPair | None = None
        self.g_optimizer = None
        self.d_optimizer = None
        self._adversarial_compile_config = None
        # The networks come built and the subclasses create their state in
        # __init__, so nothing is left for Keras to build.
        self.built = True

    def _add_tracker(self, key: str) -> None:
        """Adds a ``keras.metrics.Mean`` named key, reported when listed."""
        self._trackers[key] = keras.metrics.Mean(name=key)

    def build(self, input_shape=None):
        # The networks are built in __init__; nothing is left to create.
        self.built = True

    # -- compile -----------------------------------------------------------

    def _compile_players(
        self,
        g_optimizer,
        d_optimizer,
        loss_pair: losses_lib.LossPair,
        settings: Mapping,
        *,
        generators: Sequence[keras.layers.Layer],
        discriminators: Sequence[keras.layers.Layer],
        keras_options: Mapping,
    ) -> None:
        """Keras' compile for a model of two optimizer groups.

        Keras itself gets no optimizer or loss: the models apply their own.
        Under the mixed_float16 policy with ``auto_scale_loss``, each
        optimizer is wrapped in a ``LossScaleOptimizer`` (once), which
        ``apply_phases`` then uses to scale and unscale.

        Args:
            g_optimizer, d_optimizer: Optimizers, names, configs or None
                (Adam(2e-4, beta_1=0.5)); two distinct objects.
            loss_pair: The resolved adversarial losses.
            settings: The subclass's own compile arguments, validated;
                saved in the compile config between the loss and Keras'
                arguments.
            generators, discriminators: Each optimizer's networks, whose
                slots are created now.
            keras_options: The ``compile`` call's :class:`KerasOptions`.

        Raises:
            ValueError: For an uninterpretable or shared optimizer.
            TypeError: For a keyword argument that is not a Keras option.
        """
        unknown = sorted(set(keras_options) - set(_KERAS_DEFAULTS))
        if unknown:
            raise TypeError(
                f"{type(self).__name__}.compile() got unexpected keyword "
                f"arguments {unknown}. Besides its own settings it takes "
                f"Keras' {sorted(_KERAS_DEFAULTS)}."
            )
        options = {**_KERAS_DEFAULTS, **keras_options}
        g_opt, d_opt = _optimizer_pair(g_optimizer, d_optimizer)
        config = {
            "g_optimizer": keras.saving.serialize_keras_object(g_opt),
            "d_optimizer": keras.saving.serialize_keras_object(d_opt),
            "loss": losses_lib.serialize(loss_pair),
            **settings,
            **options,
        }
        if options["auto_scale_loss"] and self.dtype_policy.name == (
            "mixed_float16"
        ):
            scale = keras.optimizers.LossScaleOptimizer
            g_opt = g_opt if isinstance(g_opt, scale) else scale(g_opt)
            d_opt = d_opt if isinstance(d_opt, scale) else scale(d_opt)
        keras.Model.compile(
            self,
            optimizer=None,
            loss=None,
            jit_compile=options["jit_compile"],
            steps_per_execution=options["steps_per_execution"],
            run_eagerly=options["run_eagerly"],
            # The models scale their own losses (apply_phases).
            auto_scale_loss=False,
        )
        self.g_optimizer = g_opt
        self.d_optimizer = d_opt
        self.loss_pair = loss_pair
        self._adversarial_compile_config = config
        # Slots now, not in the first step: a loaded model needs them to
        # restore saved values into, and nothing is left to build inside a
        # distributed step.
        self.g_optimizer.build(_variables(generators))
        self.d_optimizer.build(_variables(discriminators))

    def get_compile_config(self) -> dict:
        if not self.compiled or self._adversarial_compile_config is None:
            return {}
        return dict(self._adversarial_compile_config)

    def compile_from_config(self, config: dict) -> None:
        config = dict(config)
        for key in ("g_optimizer", "d_optimizer"):
            config[key] = keras.saving.deserialize_keras_object(config[key])
        config["loss"] = losses_lib.deserialize(config["loss"])
        self.compile(**config)

    # -- serialization -----------------------------------------------------

    def get_config(self) -> dict:
        config = {"name": self.name, "trainable": self.trainable}
        for key in self._NETWORK_ARGS:
            config[key] = keras.saving.serialize_keras_object(
                getattr(self, key)
            )
        config["seed"] = self.seed
        return config

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        config = dict(config)
        for key in cls._NETWORK_ARGS:
            config[key] = keras.saving.deserialize_keras_object(
                config[key], custom_objects=custom_objects
            )
        trainable = config.pop("trainable", True)
        model = cls(**config)
        model.trainable = trainable
        return model

    # -- metrics -----------------------------------------------------------

    @property
    def metrics(self) -> list[keras.metrics.Metric]:
        return [self._trackers[k] for k in self._metric_names()]

    def _metric_names(self) -> list[str]:
        raise NotImplementedError

    def _track(self, out: Mapping[str, tf.Tensor]) -> None:
        for key, value in out.items():
            self._trackers[key].update_state(value)

    def _logs(self, training: bool = True) -> dict[str, tf.Tensor]:
        skip = () if training else self._TRAINING_ONLY
        logs = {m.name: m.result() for m in self.metrics if m.name not in skip}
        return _keras_compat.step_logs(logs)

    # -- the steps ---------------------------------------------------------

    def _player_phases(
        self,
        generators: Sequence[keras.layers.Layer],
        discriminators: Sequence[keras.layers.Layer],
    ) -> tuple[Phase, Phase]:
        """The generator group's update and the discriminator group's."""
        return (
            Phase(G_LOSS, G_NORM, tuple(generators), self.g_optimizer),
            Phase(D_LOSS, D_NORM, tuple(discriminators), self.d_optimizer),
        )

    def _real_batch(self, data):
        raise NotImplementedError

    def _train_step(self, batch) -> dict[str, tf.Tensor]:
        raise NotImplementedError

    def _test_losses(self, batch) -> Mapping[str, tf.Tensor]:
        raise NotImplementedError

    def train_step(self, data):
        batch = self._real_batch(data)
        # Keras runs the step on the iterator's next element, which fails at
        # the end of data of unknown length. Counters that do not read the
        # batch (noise streams, optimizer iterations) would otherwise update
        # before that failure and count a step that never happened.
        with tf.control_dependencies(tf.nest.flatten(batch)):
            return self._train_step(batch)

    def test_step(self, data):
        self._track(self._test_losses(self._real_batch(data)))
        return self._logs(training=False)

    # -- entry points --------------------------------------------------------

    # Networks are built in __init__ and optimizer slots in compile, so
    # Keras' symbolic build is skipped (keras-team/keras#20585).
    _maybe_symbolic_build = _keras_compat.maybe_symbolic_build

    def fit(self, x=None, *args, **kwargs):
        self._require_compiled("fit")
        _check_finite_array(x, "fit")
        _check_finite_array(kwargs.get("validation_data"), "validation_data")
        # Keras cannot shuffle a Dataset and warns on its own default
        # shuffle=True: a plain model.fit(dataset) would print a warning
        # that the user did not cause.
        if isinstance(x, tf.data.Dataset) and len(args) <= _FIT_SHUFFLE_INDEX:
            kwargs.setdefault("shuffle", False)
        # An interrupted fit would leave TensorBoard's writer and recording
        # condition behind for the next fit (see _keras_compat).
        with _keras_compat.summaries_restored():
            return super().fit(x, *args, **kwargs)

    def evaluate(self, x=None, *args, **kwargs):
        self._require_compiled("evaluate")
        _check_finite_array(x, "evaluate")
        return super().evaluate(x, *args, **kwargs)

    def _real_tensor(self, x, expected: tuple, what: str) -> tf.Tensor:
        """A batch of real data as a tensor of the compute dtype.

        Checked when the step is traced, so a wrong batch fails before any
        update.

        Args:
            x: Real images or samples, scaled to [-1, 1].
            expected: The batch shape the model takes; None for any size.
            what: What messages call them, e.g. "samples".

        Raises:
            TypeError: For a non-floating dtype.
            ValueError: For a shape that does not fit ``expected``.
        """
        x = tf.convert_to_tensor(x)
        if not x.dtype.is_floating:
            raise TypeError(
                f"Expected floating-point {what} in [-1, 1], got dtype "
                f"{x.dtype.name}. Convert first, e.g. x / 127.5 - 1, or load "
                "through tfgan_lite.data."
            )
        if not shapes_compatible(x.shape, expected):
            raise ValueError(
                f"Expected batches of {what} of shape {expected}, got "
                f"{tuple(x.shape)}."
            )
        return tf.cast(x, self.compute_dtype)

    def _require_compiled(self, method: str) -> None:
        if not self.compiled or self.loss_pair is None:
            name = type(self).__name__
            raise ValueError(
                f"{name}.{method}() was called before {name}.compile(). "
                f"Call {self._COMPILE_HINT} first."
            )
