"""Augmentation policies: gates, seeded draws, ADA's controller, configs."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfgan_lite import augment


def _bound(layer, seed=0):
    layer.bind(seed)
    return layer


@pytest.fixture
def images():
    rng = np.random.default_rng(1)
    return rng.uniform(-1, 1, (8, 16, 16, 3)).astype("float32")


def test_probability_zero_is_the_identity_exactly(images):
    layer = _bound(augment.Augment(probability=0.0))
    for _ in range(3):
        np.testing.assert_array_equal(layer(images).numpy(), images)


def test_diffaugment_changes_every_sample(images):
    out = _bound(augment.DiffAugment())(images).numpy()
    assert np.all(np.abs(out - images).max(axis=(1, 2, 3)) > 0.1)


def test_translation_moves_by_the_drawn_shift(images):
    layer = _bound(augment.DiffAugment(["translation"], seed=5))
    draw = layer.draw(images)
    dy, dx = draw.shift_y.numpy(), draw.shift_x.numpy()
    # 1/8 of 16 pixels: shifts in [-2, 2], not all zero on this seed.
    assert np.all(np.abs(dy) <= 2) and np.all(np.abs(dx) <= 2)
    assert np.any(dy != 0) and np.any(dx != 0)
    got = layer.apply(images, draw).numpy()
    want = np.zeros_like(images)
    for i in range(len(images)):
        src = np.roll(images[i], (dy[i], dx[i]), axis=(0, 1))
        rows = np.arange(16) - dy[i]
        cols = np.arange(16) - dx[i]
        inside = ((rows >= 0) & (rows < 16))[:, None] & (
            (cols >= 0) & (cols < 16)
        )[None, :]
        want[i] = np.where(inside[..., None], src, 0.0)
    np.testing.assert_array_equal(got, want)


def test_cutout_zeroes_a_square_of_half_the_side(images):
    layer = _bound(augment.DiffAugment(["cutout"], seed=2))
    draw = layer.draw(images)
    got = layer.apply(images, draw).numpy()
    cy, cx = draw.center_y.numpy(), draw.center_x.numpy()
    for i in range(len(images)):
        zero = np.all(got[i] == 0, axis=-1)
        rows = np.flatnonzero(zero.any(axis=1))
        cols = np.flatnonzero(zero.any(axis=0))
        # An 8 x 8 square from center - 4, clipped to the image.
        want_rows = np.arange(max(cy[i] - 4, 0), min(cy[i] + 4, 16))
        want_cols = np.arange(max(cx[i] - 4, 0), min(cx[i] + 4, 16))
        np.testing.assert_array_equal(rows, want_rows)
        np.testing.assert_array_equal(cols, want_cols)
        assert zero.sum() == len(want_rows) * len(want_cols)
        np.testing.assert_array_equal(got[i][~zero], images[i][~zero])


def test_color_matches_the_formulas(images):
    layer = _bound(augment.DiffAugment(["color"], seed=3))
    draw = layer.draw(images)
    got = layer.apply(images, draw).numpy()
    b = draw.brightness.numpy()[:, None, None, None]
    s = draw.saturation.numpy()[:, None, None, None]
    c = draw.contrast.numpy()[:, None, None, None]
    assert np.all((b >= -0.5) & (b < 0.5)) and np.all((s >= 0) & (s < 2))
    assert np.all((c >= 0.5) & (c < 1.5))
    x = images + b
    m = x.mean(axis=3, keepdims=True)
    x = m + s * (x - m)
    m = x.mean(axis=(1, 2, 3), keepdims=True)
    np.testing.assert_allclose(got, m + c * (x - m), rtol=1e-5, atol=1e-5)


def test_gates_select_samples_with_probability_p(images):
    layer = _bound(augment.Augment(probability=0.5, seed=0))
    many = np.zeros((400, 16, 16, 3), "float32")
    gates = layer.draw(many).gates.numpy()
    np.testing.assert_allclose(gates.mean(), 0.5, atol=0.05)
    # A sample whose gates all fall out comes back exactly.
    draw = layer.draw(images)
    out = layer.apply(images, draw).numpy()
    none = ~draw.gates.numpy().any(axis=1)
    np.testing.assert_array_equal(out[none], images[none])
    # Each call draws anew.
    assert not np.array_equal(layer(images).numpy(), layer(images).numpy())


def test_same_seed_same_augmentation_and_state_resumes(images):
    a = _bound(augment.DiffAugment(seed=7))
    b = _bound(augment.DiffAugment(seed=7))
    np.testing.assert_array_equal(a(images).numpy(), b(images).numpy())
    # A copy of a's weights continues a's stream.
    c = _bound(augment.DiffAugment(seed=99))
    c.set_weights(a.get_weights())
    np.testing.assert_array_equal(a(images).numpy(), c(images).numpy())


def test_gradient_flows_to_the_images(images):
    layer = _bound(augment.DiffAugment(seed=1))
    x = tf.constant(images)
    with tf.GradientTape() as tape:
        tape.watch(x)
        loss = tf.reduce_sum(tf.square(layer(x)))
    grad = tape.gradient(loss, x).numpy()
    assert np.all(np.isfinite(grad)) and np.abs(grad).max() > 0.1


def test_geometric_draws_follow_ada_s_distributions():
    # p = 1: every sample is scaled 2^(0.2 z), turned by U[-pi, pi) and
    # stretched by a = 2^(0.2 z) along the rows, 1 / a along the columns.
    layer = _bound(augment.Augment(("geometric",), probability=1.0, seed=4))
    draw = layer.draw(np.zeros((4000, 8, 8, 1), "float32"))
    assert draw.warp_gate.numpy().all()
    m = draw.warp.numpy().astype("float64")
    # m = diag(1 / (s a), a / s) R(-angle): det = 1 / s^2, and the rows'
    # lengths are 1 / (s a) and a / s.
    log2_s = -0.5 * np.log2(np.linalg.det(m))
    row0, row1 = (
        np.linalg.norm(m[:, 0], axis=1),
        np.linalg.norm(m[:, 1], axis=1),
    )
    log2_a = 0.5 * np.log2(row1 / row0)
    for values in (log2_s, log2_a):
        assert abs(values.mean()) < 0.02 and 0.19 < values.std() < 0.21
    angle = np.arctan2(m[:, 0, 1], m[:, 0, 0])
    np.testing.assert_allclose(np.abs(angle).mean(), np.pi / 2, rtol=0.05)
    assert abs(np.corrcoef(log2_s, angle)[0, 1]) < 0.05


def test_geometric_gates_and_the_other_policies_draws():
    # Each of its three transforms applies with p: a sample is warped with
    # 1 - (1 - p)^3, and the unwarped ones come back exactly.
    layer = _bound(augment.Augment(("geometric",), probability=0.3, seed=0))
    draw = layer.draw(np.zeros((4000, 8, 8, 1), "float32"))
    gate = draw.warp_gate.numpy()
    np.testing.assert_allclose(gate.mean(), 1 - 0.7**3, atol=0.025)
    np.testing.assert_array_equal(
        draw.warp.numpy()[~gate], np.tile(np.eye(2), ((~gate).sum(), 1, 1))
    )
    images = np.random.default_rng(2).uniform(-1, 1, (64, 12, 12, 1))
    images = images.astype("float32")
    draw = layer.draw(images)
    out = layer.apply(images, draw).numpy()
    kept = ~draw.warp_gate.numpy()
    assert 0 < kept.sum() < 64
    np.testing.assert_array_equal(out[kept], images[kept])
    assert np.all(np.abs(out[~kept] - images[~kept]).max(axis=(1, 2, 3)) > 0)
    # A layer without it draws as before: no matrices, the same stream.
    plain = _bound(augment.DiffAugment(seed=0))
    both = _bound(augment.DiffAugment((*augment.POLICIES, "geometric"), seed=0))
    a, b = plain.draw(images), both.draw(images)
    assert a.warp is None and b.warp is not None
    np.testing.assert_array_equal(a.gates.numpy(), b.gates.numpy())
    np.testing.assert_array_equal(a.shift_x.numpy(), b.shift_x.numpy())


def test_geometric_augmentation_under_xla_matches_eager(images):
    layer = _bound(
        augment.AdaptiveAugment(
            ("color", "translation", "geometric"), probability=0.5, seed=3
        )
    )
    draw = layer.draw(images)
    eager = layer.apply(images, draw).numpy()
    compiled = tf.function(layer.apply, jit_compile=True)(images, draw)
    np.testing.assert_allclose(compiled.numpy(), eager, atol=1e-5)


def test_ada_adjusts_p_every_interval_by_the_sign_of_r_minus_target():
    layer = _bound(
        augment.AdaptiveAugment(interval=2, ramp_images=100, target=0.6)
    )
    positive = np.ones(4, "float32")  # sign mean 1 > 0.6: p rises
    mixed = np.array([1, 1, -1, -1], "float32")  # sign mean 0: p falls
    ps = []
    for logits in [positive, positive, positive, mixed, mixed, mixed]:
        layer.observe(tf.constant(logits))
        ps.append(float(layer.probability.numpy()))
    # Each adjustment moves p by (2 updates * 4 images) / 100 = 0.08.
    # Updates 1-2: r = 1 -> +0.08. 3-4: r = (4 + 0) / 8 = 0.5 -> -0.08.
    # 5-6: r = 0 -> -0.08, clipped at 0.
    np.testing.assert_allclose(ps, [0, 0.08, 0.08, 0, 0, 0], atol=1e-7)
    layer.probability.assign(0.5)
    for _ in range(2):
        layer.observe(tf.constant(positive))
    np.testing.assert_allclose(layer.probability.numpy(), 0.58, atol=1e-6)
    # The statistics restart after each adjustment.
    np.testing.assert_array_equal(
        [layer.sign_sum.numpy(), layer.seen.numpy(), layer.updates.numpy()],
        [0, 0, 0],
    )


def test_ada_p_is_clipped_at_one():
    layer = _bound(augment.AdaptiveAugment(interval=1, ramp_images=3))
    layer.observe(tf.ones(4))
    np.testing.assert_allclose(layer.probability.numpy(), 1.0)


@pytest.mark.parametrize("name", ["diffaugment", "ada"])
def test_config_round_trip(name):
    layer = augment.get(name)
    layer.bind(11)
    config = keras.saving.serialize_keras_object(layer)
    copy = augment.get(config)
    assert type(copy) is type(layer)
    assert copy.get_config() == layer.get_config()
    assert copy.seed == 11


@pytest.mark.parametrize("policy", ["translation", "geometric"])
def test_ada_uses_the_operations_that_do_not_leak(policy):
    # No cutout, and what a shift or a turn uncovers mirrors the edge: at
    # p = 1 the image holds only its own pixel values, never the mid-gray 0.
    default = augment.AdaptiveAugment()
    assert default.policy == ("color", "translation", "geometric")
    assert default.fill == "reflect" and default.target == 0.3
    assert augment.DiffAugment().fill == "zeros"
    layer = augment.AdaptiveAugment(probability=1.0, policy=(policy,))
    images = tf.fill((16, 8, 8, 1), -1.0)
    out = _bound(layer)(images, training=True).numpy()
    np.testing.assert_allclose(out, -1.0, atol=1e-6)
    zero_filled = _bound(augment.Augment((policy,), probability=1.0))(
        images, training=True
    ).numpy()
    assert (np.abs(zero_filled) < 0.5).any()


def test_get_resolves_names_and_refuses_others():
    assert augment.get(None) is None and augment.get("none") is None
    assert isinstance(augment.get("diffaugment"), augment.DiffAugment)
    layer = augment.AdaptiveAugment()
    assert augment.get(layer) is layer
    with pytest.raises(ValueError, match="'diffaugment', 'ada'"):
        augment.get("diffaug")
    with pytest.raises(TypeError, match="must be None"):
        augment.get(3)


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="policy.*'colour'"):
        augment.DiffAugment(["colour"])
    with pytest.raises(ValueError, match="policy.*'geometric'"):
        augment.DiffAugment(["geometry"])
    with pytest.raises(ValueError, match="probability"):
        augment.Augment(probability=1.5)
    with pytest.raises(ValueError, match="interval"):
        augment.AdaptiveAugment(interval=0)
    with pytest.raises(ValueError, match="fill.*'wrap'"):
        augment.AdaptiveAugment(fill="wrap")
    with pytest.raises(ValueError, match="no state yet"):
        augment.DiffAugment()(np.zeros((1, 8, 8, 1), "float32"))
    with pytest.raises(ValueError, match="height, width, channels"):
        _bound(augment.DiffAugment())(np.zeros((4, 2), "float32"))


def test_float16_images_keep_their_dtype_under_mixed_precision():
    keras.mixed_precision.set_global_policy("mixed_float16")
    try:
        layer = _bound(augment.AdaptiveAugment(probability=1.0))
        images = tf.ones((2, 8, 8, 3), tf.float16)
        out = layer(images)
        layer.observe(tf.ones(2))
    finally:
        keras.mixed_precision.set_global_policy("float32")
    assert out.dtype == tf.float16
    assert layer.probability.dtype == "float32"
    assert not np.array_equal(out.numpy(), images.numpy())
