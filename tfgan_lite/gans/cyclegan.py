"""CycleGAN: unpaired image-to-image translation trained with ``fit``.

Two generators, G: X -> Y and F: Y -> X, and two discriminators, D_X and
D_Y, play two adversarial games tied by cycle consistency, F(G(x)) ~ x and
G(F(y)) ~ y (Zhu et al. 2017, https://arxiv.org/abs/1703.10593). Each
training step is one forward pass and two gradient steps, one for both
generators and one for both discriminators, through the library's update
helper ``tfgan_lite._update.apply_phases``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import keras
import numpy as np
import tensorflow as tf

from tfgan_lite import _noise
from tfgan_lite import losses as losses_lib
from tfgan_lite._validation import (
    check_choice,
    check_float,
    check_int,
    shapes_compatible,
)
from tfgan_lite.gans import _image_pool, _networks, base
from tfgan_lite.gans._update import apply_phases

if TYPE_CHECKING:
    from typing_extensions import Unpack

__all__ = ["DIRECTIONS", "CycleGAN"]

# "xy" is G: X -> Y, "yx" is F: Y -> X.
DIRECTIONS = ("xy", "yx")

# Metric names besides the base's.
_CYCLE = "cycle_loss"
_IDENTITY = "identity_loss"
_TRACKERS = (
    base.G_LOSS,
    base.D_LOSS,
    _CYCLE,
    _IDENTITY,
    base.G_NORM,
    base.D_NORM,
)

# The CycleGAN paper's pool size (Section 4, after Shrivastava et al.).
DEFAULT_POOL_SIZE = 50
# The paper's adversarial loss (Section 4: least squares, after Mao et al.).
DEFAULT_LOSS = "least_squares"


def _image_shape(network, attr: str, role: str) -> tuple | None:
    shape = _networks.network_shape(network, attr)
    if shape is not None and len(shape) != 4:
        raise ValueError(
            f"`{role}` must map image batches (batch, height, width, "
            f"channels); its {attr.replace('_', ' ')} is {shape}."
        )
    return None if shape is None else tuple(shape[1:])


@keras.saving.register_keras_serializable(package="tfgan_lite")
class CycleGAN(base.AdversarialModel):
    """Two generators and two discriminators for unpaired translation.

    ``fit`` takes batches ``(x, y)``: images of domain X and, unpaired,
    images of domain Y, both in [-1, 1] (``tfgan_lite.data.unpaired``
    makes such datasets). Calling the model on images of X returns G(x);
    ``translate`` runs either direction. ``generator`` is G, the X -> Y
    network, as on every model of the package; ``generator_for`` picks
    either direction's.

    The generators minimise
    ``L_adv(G, D_Y) + L_adv(F, D_X) + cycle_weight * L_cyc
    + identity_weight * L_id`` and the discriminators
    ``L_D(D_X) + L_D(D_Y)``, with the adversarial pair chosen in
    ``compile`` (least squares by default, as in the paper). Both updates
    come from one forward pass, as in the paper's implementation, where
    the discriminators train on the fakes made before the generator step.
    The discriminators see fakes drawn from a history of ``pool_size``
    generated images each (Shrivastava et al. 2017,
    https://arxiv.org/abs/1612.07828), kept in non-trainable weights and
    drawn with a saved counter-based stream, so a reloaded model resumes
    exactly.

    Metrics:
        g_loss, d_loss: the two groups' objectives.
        cycle_loss: the unweighted cycle-consistency loss.
        identity_loss: the unweighted identity loss (when its weight > 0).
        g_grad_norm, d_grad_norm: global L2 norm of each group's gradient
            (training only).

    Args:
        g_xy: Generator G from images of X to images of Y.
        g_yx: Generator F from images of Y to images of X.
        d_x: Discriminator of domain X: images to logits of any shape
            (one per image, or a PatchGAN's map of patch logits).
        d_y: Discriminator of domain Y, likewise.
        pool_size: Generated images kept per discriminator; 0 shows the
            discriminators only the newest fakes. Needs static image
            shapes when positive.
        seed: Integer seed of the pool's random draws; None picks one.
        **kwargs: Passed to ``keras.Model`` (e.g. ``name``).

    Raises:
        TypeError: If a network is not a Keras layer, or an argument has
            the wrong type.
        ValueError: If the networks' image shapes do not fit together
            (G's output must be D_Y's and F's input, and so on), or a
            positive pool_size meets an unknown image shape.

    Example:
        >>> from tfgan_lite import models
        >>> g_xy, d_y = models.resnet_cyclegan((16, 16, 1), width=4, blocks=1)
        >>> g_yx, d_x = models.resnet_cyclegan((16, 16, 1), width=4, blocks=1)
        >>> model = CycleGAN(g_xy, g_yx, d_x, d_y, pool_size=4, seed=0)
        >>> model.compile()
        >>> x = np.random.uniform(-1, 1, (4, 16, 16, 1)).astype("float32")
        >>> history = model.fit(x, -x, batch_size=2, epochs=1, verbose=0)
        >>> model.translate(x, direction="yx").shape
        (4, 16, 16, 1)
    """

    _NETWORK_ARGS = ("g_xy", "g_yx", "d_x", "d_y")
    _COMPILE_HINT = "model.compile() (least squares, Adam(2e-4, 0.5))"

    def __init__(
        self,
        g_xy: keras.Model,
        g_yx: keras.Model,
        d_x: keras.Model,
        d_y: keras.Model,
        *,
        pool_size: int = DEFAULT_POOL_SIZE,
        seed: int | None = None,
        **kwargs,
    ):
        super().__init__(
            {"g_xy": g_xy, "g_yx": g_yx, "d_x": d_x, "d_y": d_y},
            seed=seed,
            trackers=_TRACKERS,
            **kwargs,
        )
        self.pool_size = check_int(pool_size, "pool_size", minimum=0)
        self.x_shape, self.y_shape = self._check_shapes()
        self._pool_noise = _noise.NoiseStream(
            self, self.seed, name="pool_noise_state"
        )
        self.pool_noise_state = self._pool_noise.state
        # pool_x holds fakes of X, F(y), for D_X; pool_y holds G(x).
        self.pool_x = _image_pool.ImagePool(
            self, self.pool_size, self.x_shape or (), name="pool_x"
        )
        self.pool_y = _image_pool.ImagePool(
            self, self.pool_size, self.y_shape or (), name="pool_y"
        )

    # -- construction ------------------------------------------------------

    def _check_shapes(self) -> tuple[tuple | None, tuple | None]:
        """Checks that the four networks' image shapes fit together."""
        x_in = _image_shape(self.g_xy, "input_shape", "g_xy")
        y_out = _image_shape(self.g_xy, "output_shape", "g_xy")
        y_in = _image_shape(self.g_yx, "input_shape", "g_yx")
        x_out = _image_shape(self.g_yx, "output_shape", "g_yx")
        dx_in = _image_shape(self.d_x, "input_shape", "d_x")
        dy_in = _image_shape(self.d_y, "input_shape", "d_y")
        pairs = (
            ("g_xy's input (X)", x_in, "g_yx's output (X)", x_out),
            ("g_xy's output (Y)", y_out, "g_yx's input (Y)", y_in),
            ("g_yx's output (X)", x_out, "d_x's input", dx_in),
            ("g_xy's output (Y)", y_out, "d_y's input", dy_in),
        )
        for a_name, a, b_name, b in pairs:
            if a is not None and b is not None and not shapes_compatible(a, b):
                raise ValueError(
                    f"The networks do not fit together: {a_name} has image "
                    f"shape {a} but {b_name} has {b}. G maps X to Y, F maps "
                    "Y to X, D_X scores X and D_Y scores Y."
                )
        x_shape = _known_image(x_in, x_out, dx_in)
        y_shape = _known_image(y_out, y_in, dy_in)
        if self.pool_size and (x_shape is None or y_shape is None):
            raise ValueError(
                f"pool_size={self.pool_size} stores generated images, so the "
                "image shapes must be known: give the networks a fixed input "
                "shape such as keras.Input((256, 256, 3)), or pass "
                "pool_size=0."
            )
        return x_shape, y_shape

    # -- compile and serialization -------------------------------------------

    def compile(
        self,
        g_optimizer: keras.optimizers.Optimizer | str | None = None,
        d_optimizer: keras.optimizers.Optimizer | str | None = None,
        loss: str | losses_lib.LossPair | tuple = DEFAULT_LOSS,
        *,
        cycle_weight: float = 10.0,
        identity_weight: float = 0.0,
        **keras_options: Unpack[base.KerasOptions],
    ) -> None:
        """Chooses the optimizers, the adversarial losses and the weights.

        Args:
            g_optimizer: Optimizer of both generators, or a Keras optimizer
                name. None gives Adam(lr=2e-4, beta_1=0.5), the paper's.
            d_optimizer: Optimizer of both discriminators, as above; a
                different object from g_optimizer.
            loss: The adversarial pair: a name from
                ``tfgan_lite.losses.names()``, a ``LossPair`` or a tuple
                ``(generator_fn, discriminator_fn)``. "least_squares" is
                the paper's choice; the library's version halves the
                generator term (Mao et al.), so relative to it the cycle
                term weighs twice what it does in the paper.
            cycle_weight: lambda of the cycle-consistency loss (paper: 10).
            identity_weight: Weight of the identity loss; 0 turns it off.
                The paper uses 0.5 * cycle_weight (5.0) for paintings.
            **keras_options: Keras' own settings (``jit_compile``,
                ``steps_per_execution``, ``run_eagerly``,
                ``auto_scale_loss``), as in ``GAN.compile``.

        Raises:
            ValueError: For an unknown loss, negative weights or a shared
                optimizer object.
            TypeError: For arguments of the wrong type.
        """
        loss_pair = losses_lib.get(loss)
        cycle_weight = check_float(cycle_weight, "cycle_weight", low=0.0)
        identity_weight = check_float(
            identity_weight, "identity_weight", low=0.0
        )
        self._compile_players(
            g_optimizer,
            d_optimizer,
            loss_pair,
            {"cycle_weight": cycle_weight, "identity_weight": identity_weight},
            generators=self.generators,
            discriminators=self.discriminators,
            keras_options=keras_options,
        )
        self.cycle_weight = cycle_weight
        self.identity_weight = identity_weight

    def get_config(self) -> dict:
        return {**super().get_config(), "pool_size": self.pool_size}

    # -- networks and metrics ----------------------------------------------

    @property
    def generator(self) -> keras.Model:
        """G, the X -> Y generator: what ``call`` and ``translate`` use."""
        return self.g_xy

    def generator_for(self, direction: str = "xy") -> keras.Model:
        """G for "xy" (X -> Y), F for "yx" (Y -> X).

        Raises:
            ValueError: For another direction.
        """
        direction = check_choice(direction, "direction", DIRECTIONS)
        return self.g_xy if direction == "xy" else self.g_yx

    @property
    def generators(self) -> tuple[keras.Model, keras.Model]:
        """(G, F): the X -> Y and Y -> X generators."""
        return (self.g_xy, self.g_yx)

    @property
    def discriminators(self) -> tuple[keras.Model, keras.Model]:
        """(D_X, D_Y)."""
        return (self.d_x, self.d_y)

    def _metric_names(self) -> list[str]:
        keys = [base.G_LOSS, base.D_LOSS, _CYCLE, base.G_NORM, base.D_NORM]
        if getattr(self, "identity_weight", 0.0):
            keys.insert(3, _IDENTITY)
        return keys

    # -- the step ----------------------------------------------------------

    def _real_batch(self, data) -> tuple[tf.Tensor, tf.Tensor]:
        """Splits a batch into (x, y) and checks both at trace time."""
        x, y, _ = keras.utils.unpack_x_y_sample_weight(data)
        if y is None and isinstance(x, (tuple, list)) and len(x) == 2:
            x, y = x  # fit(x=(x, y)) nests the pair one level deeper.
        if y is None:
            raise ValueError(
                "CycleGAN.fit expects batches (x, y): images of domain X and "
                "images of domain Y. Got a single tensor; zip two datasets "
                "(tfgan_lite.data.unpaired does) or pass fit((x, y))."
            )
        # Any image size where the networks' shapes are not known.
        any_image = (None, None, None)
        return (
            self._real_tensor(
                x, (None, *(self.x_shape or any_image)), "images of `x`"
            ),
            self._real_tensor(
                y, (None, *(self.y_shape or any_image)), "images of `y`"
            ),
        )

    def _logits(self, discriminator, images, training: bool) -> tf.Tensor:
        # float32 whatever the policy; any shape (PatchGAN maps included).
        return tf.cast(discriminator(images, training=training), tf.float32)

    def _adversarial(self, fake_logits, real_logits) -> tf.Tensor:
        if self.loss_pair.generator_needs_real:
            return self.loss_pair.generator(fake_logits, real_logits)
        return self.loss_pair.generator(fake_logits)

    def _shown_fakes(self, pool, fakes, training: bool) -> tf.Tensor:
        """The fakes a discriminator trains on: from the pool when training."""
        fakes = tf.stop_gradient(fakes)
        if not training:
            return fakes
        draws = self._pool_noise.uniform(tf.shape(fakes)[0], (2,))
        return pool.query(fakes, draws[:, 0], draws[:, 1])

    def _forward(self, x, y, training: bool = True) -> dict[str, tf.Tensor]:
        """Both groups' losses from one pass through the four networks."""
        fake_y = self.g_xy(x, training=training)
        fake_x = self.g_yx(y, training=training)
        cycle = losses_lib.cycle_consistency_loss(
            x,
            self.g_yx(fake_y, training=training),
            y,
            self.g_xy(fake_x, training=training),
        )
        real_x_logits = self._logits(self.d_x, x, training)
        real_y_logits = self._logits(self.d_y, y, training)
        g_loss = (
            self._adversarial(
                self._logits(self.d_y, fake_y, training), real_y_logits
            )
            + self._adversarial(
                self._logits(self.d_x, fake_x, training), real_x_logits
            )
            + self.cycle_weight * cycle
        )
        out = {_CYCLE: cycle}
        if self.identity_weight:
            identity = losses_lib.identity_loss(
                x,
                self.g_yx(x, training=training),
                y,
                self.g_xy(y, training=training),
            )
            out[_IDENTITY] = identity
            g_loss += self.identity_weight * identity
        shown_x = self._shown_fakes(self.pool_x, fake_x, training)
        shown_y = self._shown_fakes(self.pool_y, fake_y, training)
        d = self.loss_pair.discriminator
        out[base.D_LOSS] = d(
            real_x_logits, self._logits(self.d_x, shown_x, training)
        ) + d(real_y_logits, self._logits(self.d_y, shown_y, training))
        out[base.G_LOSS] = g_loss
        return out

    def _train_step(self, batch) -> dict[str, tf.Tensor]:
        x, y = batch
        phases = self._player_phases(self.generators, self.discriminators)
        self._track(apply_phases(lambda: self._forward(x, y), phases))
        return self._logs()

    def _test_losses(self, batch) -> dict[str, tf.Tensor]:
        x, y = batch
        return self._forward(x, y, training=False)

    # -- translation ---------------------------------------------------------

    def call(self, x, training: bool = False):
        """G(x): translates images of X, shape (N, H, W, C), to Y."""
        return tf.cast(self.g_xy(x, training=training), tf.float32)

    def translate(
        self, images, *, direction: str = "xy", batch_size: int = 32
    ) -> np.ndarray:
        """Translates images in inference mode and returns a numpy array.

        Args:
            images: Images in [-1, 1], shape (N, H, W, C).
            direction: "xy" applies G (X -> Y), "yx" applies F (Y -> X).
            batch_size: Images per generator call.

        Returns:
            float32 images of the other domain, in the generator's range.

        Raises:
            ValueError: For an unknown direction or a bad batch_size.
        """
        network = self.generator_for(direction)
        batch_size = check_int(batch_size, "batch_size", minimum=1)
        images = np.asarray(images, np.float32)
        out = [
            tf.cast(
                network(images[i : i + batch_size], training=False), "float32"
            )
            for i in range(0, len(images), batch_size)
        ]
        return tf.concat(out, 0).numpy()


def _known_image(*shapes) -> tuple | None:
    """The first fully known image shape among `shapes`, else None."""
    for shape in shapes:
        if shape is not None and all(d is not None for d in shape):
            return tuple(int(d) for d in shape)
    return None
