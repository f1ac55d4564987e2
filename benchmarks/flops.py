"""Analytic FLOP counts of Keras GAN networks and of their training steps.

Counts are per image and by hand-checkable rules (2 FLOPs per
multiply-accumulate), not by profiling, so that a throughput can be read
as a share of the machine's matmul peak:

    counts, g_costs, d_costs = training_flops(generator, discriminator)
    counts.alternating()  # FLOPs per real image of one alternating step
"""

from __future__ import annotations

import dataclasses
import math

import keras


@dataclasses.dataclass(frozen=True)
class LayerCost:
    """Forward cost of one layer for one image.

    Attributes:
        name: The Keras layer name.
        kind: The layer class name.
        output: Output shape without the batch axis.
        flops: Multiply-add FLOPs (2 per multiply-accumulate).
        elementwise: Elementwise operations (bias, batch norm, activation),
            counted as one per output element per operation; kept out of
            ``flops``.
    """

    name: str
    kind: str
    output: tuple[int, ...]
    flops: int
    elementwise: int


def has_activation(layer: keras.layers.Layer) -> bool:
    """Whether ``layer`` applies a non-linear ``activation`` argument."""
    activation = getattr(layer, "activation", None)
    return activation is not None and activation.__name__ != "linear"


def layer_costs(model: keras.Model) -> list[LayerCost]:
    """Counts the forward FLOPs per image of each layer of a Functional model.

    Rules, per image (2 FLOPs per multiply-accumulate):
        Dense: 2 * in * out (per position for inputs of rank > 2).
        Conv2D: 2 * H_out * W_out * K_h * K_w * C_in * C_out.
        Conv2DTranspose: 2 * H_in * W_in * K_h * K_w * C_in * C_out (every
            input pixel scatters one K_h x K_w x C_out patch).
    Bias, batch normalization and activations are counted apart, as one
    elementwise operation per output element each.

    Args:
        model: A built Functional model whose layers are each called once.

    Returns:
        One ``LayerCost`` per layer, input layers left out.

    Raises:
        ValueError: For a layer with weights that no rule covers.
    """
    costs = []
    for layer in model.layers:
        if isinstance(layer, keras.layers.InputLayer):
            continue
        in_shape = tuple(layer.input.shape[1:])
        out_shape = tuple(layer.output.shape[1:])
        out_elements = math.prod(out_shape)
        flops = 0
        elementwise = 0
        if isinstance(layer, keras.layers.Dense):
            positions = math.prod(in_shape[:-1])
            flops = 2 * positions * in_shape[-1] * layer.units
        elif isinstance(layer, keras.layers.Conv2DTranspose):
            # Tested before Conv2D, its base class.
            kh, kw = layer.kernel_size
            h_in, w_in, c_in = in_shape
            flops = 2 * h_in * w_in * kh * kw * c_in * layer.filters
        elif isinstance(layer, keras.layers.Conv2D):
            kh, kw = layer.kernel_size
            h_out, w_out, _ = out_shape
            c_in = in_shape[-1] // layer.groups
            flops = 2 * h_out * w_out * kh * kw * c_in * layer.filters
        elif isinstance(
            layer,
            keras.layers.BatchNormalization
            | keras.layers.ReLU
            | keras.layers.LeakyReLU
            | keras.layers.Activation,
        ):
            elementwise = out_elements
        elif isinstance(layer, keras.layers.Reshape | keras.layers.Flatten):
            pass  # Free: a view of the same buffer.
        elif layer.weights:
            raise ValueError(
                f"No FLOPs rule for layer {layer.name!r} of type "
                f"{type(layer).__name__}."
            )
        else:
            elementwise = out_elements
        if getattr(layer, "use_bias", False):
            elementwise += out_elements
        if has_activation(layer) and not isinstance(
            layer, keras.layers.Activation
        ):
            elementwise += out_elements  # A fused activation argument.
        costs.append(
            LayerCost(
                layer.name, type(layer).__name__, out_shape, flops, elementwise
            )
        )
    return costs


@dataclasses.dataclass(frozen=True)
class TrainingFlops:
    """FLOPs per real image of one training step, by update scheme.

    Attributes:
        g: Generator forward FLOPs per image.
        d: Discriminator forward FLOPs per image.
        g_first: FLOPs of the generator's first costed layer.
        d_first: FLOPs of the discriminator's first costed layer.
    """

    g: int
    d: int
    g_first: int
    d_first: int

    def alternating(self, exact: bool = False) -> int:
        """One D update then one G update, each with its own forward pass.

        Convention: the backward pass of a network whose weights are
        updated costs 2x its forward (input grads + weight grads, 1x each);
        a network that is only back-propagated through (D in the G step)
        costs 1x (input grads only; weight grads of D are not asked for,
        and TF prunes them from the graph). With ``exact`` the input grads
        of each network's first layer are also dropped where nothing needs
        them (D's input in the D step: real data and a G output off the D
        tape's path to D's weights; G's input z).

        Args:
            exact: Drop the unneeded first-layer input grads.

        Returns:
            FLOPs per real image: D step g + 2d + 4d, G step g + d + d + 2g,
            in all 4g + 8d.
        """
        d_step = self.g + 2 * self.d + 4 * self.d
        g_step = self.g + self.d + self.d + 2 * self.g
        if exact:
            d_step -= 2 * self.d_first
            g_step -= self.g_first
        return d_step + g_step

    def simultaneous(self, exact: bool = False) -> int:
        """One shared forward pass, then both players' gradients.

        Same convention as ``alternating``. ``GAN`` scores real and fake
        in separate D calls, so the D loss is back-propagated through D on
        real and fake (2 x 2d) and the G loss through D on fake only
        (input grads, d) and through G (2g).

        Args:
            exact: Drop the unneeded first-layer input grads.

        Returns:
            FLOPs per real image: g + 2d + 4d + d + 2g = 3g + 7d.
        """
        total = self.g + 6 * self.d + self.d + 2 * self.g
        if exact:
            total -= 2 * self.d_first + self.g_first
        return total


def training_flops(
    generator: keras.Model, discriminator: keras.Model
) -> tuple[TrainingFlops, list[LayerCost], list[LayerCost]]:
    """Counts both networks and combines them into training-step FLOPs.

    Args:
        generator: A built Functional generator.
        discriminator: A built Functional discriminator.

    Returns:
        ``(TrainingFlops, generator layer costs, discriminator layer
        costs)``.

    Raises:
        ValueError: As ``layer_costs``.
    """
    g_costs = layer_costs(generator)
    d_costs = layer_costs(discriminator)

    def first(costs):
        return next(c.flops for c in costs if c.flops)

    counts = TrainingFlops(
        g=sum(c.flops for c in g_costs),
        d=sum(c.flops for c in d_costs),
        g_first=first(g_costs),
        d_first=first(d_costs),
    )
    return counts, g_costs, d_costs
