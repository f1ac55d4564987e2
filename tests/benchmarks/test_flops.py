"""The analytic FLOP counter of benchmarks/flops.py against hand counts.

Every expected number is written out from the counter's documented
convention: 2 FLOPs per multiply-accumulate; Dense 2 * in * out per
position; Conv2D 2 * H_out * W_out * K_h * K_w * C_in/groups * C_out;
Conv2DTranspose 2 * H_in * W_in * K_h * K_w * C_in * C_out; bias, batch
norm and each activation one elementwise op per output element, kept out
of the FLOPs.
"""

import keras
import pytest
from flops import LayerCost, TrainingFlops, layer_costs, training_flops

# The tiny GAN: z of 3 -> 8x8x3 images -> one logit.
G_DENSE = 2 * 3 * 32  # 3 inputs x 32 units, no bias.
# Each of the 4x4 input pixels (2 channels) scatters a 3x3x3 patch.
G_DECONV = 2 * (4 * 4) * (3 * 3) * 2 * 3
D_CONV = 2 * (4 * 4) * (3 * 3) * 3 * 4  # 4x4 outputs of a 3x3x3 window.
D_LOGIT = 2 * (4 * 4 * 4) * 1  # Flattened 64 -> 1 unit.
G = G_DENSE + G_DECONV  # 192 + 1728 = 1920
D = D_CONV + D_LOGIT  # 3456 + 128 = 3584


def _tiny_gan() -> tuple[keras.Model, keras.Model]:
    z = keras.Input((3,))
    x = keras.layers.Dense(32, use_bias=False, name="g_dense")(z)
    x = keras.layers.Reshape((4, 4, 2), name="g_reshape")(x)
    x = keras.layers.BatchNormalization(name="g_bn")(x)
    x = keras.layers.ReLU(name="g_relu")(x)
    x = keras.layers.Conv2DTranspose(
        3, 3, strides=2, padding="same", activation="tanh", name="g_deconv"
    )(x)
    generator = keras.Model(z, x)
    image = keras.Input((8, 8, 3))
    y = keras.layers.Conv2D(4, 3, strides=2, padding="same", name="d_conv")(
        image
    )
    y = keras.layers.LeakyReLU(0.2, name="d_lrelu")(y)
    y = keras.layers.Flatten(name="d_flatten")(y)
    y = keras.layers.Dense(1, name="d_logit")(y)
    return generator, keras.Model(image, y)


def test_layer_costs_of_the_tiny_gan():
    generator, discriminator = _tiny_gan()

    assert layer_costs(generator) == [
        LayerCost("g_dense", "Dense", (32,), G_DENSE, 0),
        LayerCost("g_reshape", "Reshape", (4, 4, 2), 0, 0),
        LayerCost("g_bn", "BatchNormalization", (4, 4, 2), 0, 4 * 4 * 2),
        LayerCost("g_relu", "ReLU", (4, 4, 2), 0, 4 * 4 * 2),
        # Bias and the fused tanh: two ops per output element.
        LayerCost(
            "g_deconv", "Conv2DTranspose", (8, 8, 3), G_DECONV, 2 * 8 * 8 * 3
        ),
    ]
    assert layer_costs(discriminator) == [
        LayerCost("d_conv", "Conv2D", (4, 4, 4), D_CONV, 4 * 4 * 4),
        LayerCost("d_lrelu", "LeakyReLU", (4, 4, 4), 0, 4 * 4 * 4),
        LayerCost("d_flatten", "Flatten", (64,), 0, 0),
        LayerCost("d_logit", "Dense", (1,), D_LOGIT, 1),
    ]


@pytest.mark.parametrize(
    "input_shape, layer, expected",
    [
        # Dense on a rank-3 input: once per each of the 5 positions.
        (
            (5, 3),
            keras.layers.Dense(4, use_bias=False, name="layer"),
            LayerCost("layer", "Dense", (5, 4), 2 * 5 * 3 * 4, 0),
        ),
        # Two groups: each output channel sees 4 / 2 = 2 input channels.
        (
            (5, 5, 4),
            keras.layers.Conv2D(6, 2, groups=2, use_bias=False, name="layer"),
            LayerCost("layer", "Conv2D", (4, 4, 6), 2 * 16 * 2 * 2 * 2 * 6, 0),
        ),
        # An Activation layer is one op per element, not two.
        (
            (2, 3),
            keras.layers.Activation("relu", name="layer"),
            LayerCost("layer", "Activation", (2, 3), 0, 2 * 3),
        ),
    ],
)
def test_layer_cost_rules(input_shape, layer, expected):
    inputs = keras.Input(input_shape)
    model = keras.Model(inputs, layer(inputs))

    assert layer_costs(model) == [expected]


def test_layer_with_weights_and_no_rule_is_refused():
    inputs = keras.Input((2,), dtype="int32")
    model = keras.Model(inputs, keras.layers.Embedding(10, 3)(inputs))

    with pytest.raises(ValueError, match="No FLOPs rule"):
        layer_costs(model)


def test_training_flops_of_the_tiny_gan():
    counts, g_costs, d_costs = training_flops(*_tiny_gan())

    # The first costed layers: G's Dense and D's Conv2D.
    assert counts == TrainingFlops(g=G, d=D, g_first=G_DENSE, d_first=D_CONV)
    assert sum(c.flops for c in g_costs) == G
    assert sum(c.flops for c in d_costs) == D

    # Alternating. D step: G forward on z, D forward on real and on fake,
    # D backward on both with weight grads (2x forward each). G step: G
    # forward, D forward on fake, D backward for input grads only (1x),
    # G backward with weight grads (2x).
    d_step = G + (D + D) + 2 * (D + D)  # 1920 + 7168 + 14336 = 23424
    g_step = G + D + D + 2 * G  # 1920 + 3584 + 3584 + 3840 = 12928
    assert counts.alternating() == d_step + g_step == 36352
    # Exact: D's first layer needs no input grads on real or fake, G's
    # first layer none for z.
    d_exact = d_step - 2 * D_CONV  # 23424 - 6912 = 16512
    g_exact = g_step - G_DENSE  # 12928 - 192 = 12736
    assert counts.alternating(exact=True) == d_exact + g_exact == 29248

    # Simultaneous: one G forward, D forward on real and fake, the D loss
    # back through D on both with weight grads, the G loss back through D
    # on fake (input grads) and through G (weight grads).
    shared = G + (D + D) + 2 * (D + D) + D + 2 * G
    assert counts.simultaneous() == shared == 30848
    exact = shared - 2 * D_CONV - G_DENSE  # 30848 - 6912 - 192 = 23744
    assert counts.simultaneous(exact=True) == exact == 23744
