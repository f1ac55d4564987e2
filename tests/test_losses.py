"""Golden tests for tfgan_lite.losses against numpy, computed in float64."""

import math

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfgan_lite import auxiliary_losses, losses

REAL = np.array([-2.0, -0.5, 0.0, 1.0, 3.0], np.float32)
FAKE = np.array([-3.0, -1.0, 0.5, 2.0, 0.1, -0.2], np.float32)
# The pairing loss matches real i with fake i, so it takes equal batches.
PAIRED = ("relativistic_pairing",)


def _fake_for(family):
    return FAKE[: len(REAL)] if family in PAIRED else FAKE


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-np.asarray(x, np.float64)))


def _nll_real(x):
    """-log sigmoid(x) in float64, exact for large |x| (logaddexp)."""
    return np.logaddexp(0.0, -np.asarray(x, np.float64))


def _nll_fake(x):
    """-log(1 - sigmoid(x)) in float64."""
    return np.logaddexp(0.0, np.asarray(x, np.float64))


def _np_reference(family, real, fake):
    """Returns (generator, discriminator) loss values written from papers."""
    r, f = np.asarray(real, np.float64), np.asarray(fake, np.float64)
    cross_entropy = _nll_real(r).mean() + _nll_fake(f).mean()
    if family == "minimax":
        return -_nll_fake(f).mean(), cross_entropy
    if family == "non_saturating":
        return _nll_real(f).mean(), cross_entropy
    if family == "wasserstein":
        return -f.mean(), f.mean() - r.mean()
    if family == "hinge":
        return -f.mean(), np.mean(np.maximum(0, 1 - r)) + np.mean(
            np.maximum(0, 1 + f)
        )
    if family == "least_squares":
        return 0.5 * np.mean((f - 1) ** 2), 0.5 * np.mean(
            (r - 1) ** 2
        ) + 0.5 * np.mean(f**2)
    if family == "relativistic_average":
        real_rel, fake_rel = r - f.mean(), f - r.mean()
        d = _nll_real(real_rel).mean() + _nll_fake(fake_rel).mean()
        g = _nll_real(fake_rel).mean() + _nll_fake(real_rel).mean()
        return g, d
    if family == "relativistic_pairing":
        return _nll_real(f - r).mean(), _nll_real(r - f).mean()
    raise AssertionError(family)


def _generator_loss(pair, real, fake):
    if pair.generator_needs_real:
        return pair.generator(fake, real)
    return pair.generator(fake)


@pytest.mark.parametrize("family", losses.names())
def test_pair_matches_numpy(family):
    pair = losses.get(family)
    fake = _fake_for(family)
    want_g, want_d = _np_reference(family, REAL, fake)
    np.testing.assert_allclose(
        float(_generator_loss(pair, REAL, fake)), want_g, rtol=1e-5, atol=1e-6
    )
    np.testing.assert_allclose(
        float(pair.discriminator(REAL, fake)), want_d, rtol=1e-5, atol=1e-6
    )


def test_pairing_compares_samples_not_batch_means():
    fake = _fake_for("relativistic_pairing")
    # By hand: the mean of softplus(-(r_i - f_i)) over the five pairs,
    # against the average form's two means over shifted logits.
    diffs = np.array([1.0, 0.5, -0.5, -1.0, 2.9])
    want = np.mean(np.log1p(np.exp(-diffs)))
    pairing = losses.relativistic_pairing_discriminator_loss(REAL, fake)
    average = losses.relativistic_average_discriminator_loss(REAL, fake)
    np.testing.assert_allclose(float(pairing), want, rtol=1e-6)
    assert abs(float(pairing) - float(average)) > 0.1
    # The generator wants each fake above its real: the sign flips.
    np.testing.assert_allclose(
        float(losses.relativistic_pairing_generator_loss(fake, REAL)),
        np.mean(np.log1p(np.exp(diffs))),
        rtol=1e-6,
    )


def test_pairing_rejects_batches_of_different_sizes():
    pair = losses.get("relativistic_pairing")
    with pytest.raises(ValueError, match="as many logits; got 5 and 6"):
        pair.discriminator(REAL, FAKE)
    with pytest.raises(ValueError, match="`fake_logits` with one of `real"):
        pair.generator(FAKE, REAL)
    # A batch of one would broadcast against the other; in a graph whose
    # sizes are unknown until run time the check runs then.
    spec = tf.TensorSpec((None,), tf.float32)
    graph = tf.function(pair.discriminator, input_signature=[spec, spec])
    with pytest.raises(tf.errors.InvalidArgumentError, match="as many"):
        graph(REAL, FAKE[:1])


def test_names_and_function_pairs():
    assert set(losses.names()) == {
        "minimax",
        "non_saturating",
        "wasserstein",
        "hinge",
        "least_squares",
        "relativistic_average",
        "relativistic_pairing",
    }
    for family in losses.names():
        assert getattr(losses, f"{family}_generator_loss") is (
            losses.get(family).generator
        )
        assert getattr(losses, f"{family}_discriminator_loss") is (
            losses.get(family).discriminator
        )


@pytest.mark.parametrize("family", losses.names())
@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_stable_at_extreme_logits(family, sign):
    pair = losses.get(family)
    real = tf.constant([100.0 * sign, 100.0 * sign])
    fake = tf.constant([-100.0 * sign, -100.0 * sign])
    with tf.GradientTape(persistent=True) as tape:
        tape.watch([real, fake])
        g = _generator_loss(pair, real, fake)
        d = pair.discriminator(real, fake)
    want_g, want_d = _np_reference(family, real.numpy(), fake.numpy())
    np.testing.assert_allclose(float(g), want_g, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(float(d), want_d, rtol=1e-5, atol=1e-5)
    for grad in tape.gradient([g, d], [real, fake]):
        if grad is not None:
            assert np.all(np.isfinite(grad.numpy()))


def test_cross_entropy_at_extremes_by_hand():
    # -log s(100) = softplus(-100) ~ 3.7e-44; -log(1 - s(100)) = 100.
    loss = losses.non_saturating_discriminator_loss([-100.0], [100.0])
    np.testing.assert_allclose(float(loss), 200.0, rtol=1e-6)
    loss = losses.non_saturating_generator_loss([-100.0])
    np.testing.assert_allclose(float(loss), 100.0, rtol=1e-6)


def test_lecture_notes_worked_example():
    """D(G(z)) = 0.5022 and D(x) = 0.7032, from the course notes."""
    d_fake, d_real = 0.5022, 0.7032
    fake_logit = math.log(d_fake / (1 - d_fake))
    real_logit = math.log(d_real / (1 - d_real))
    fake_term = losses.minimax_discriminator_loss(
        [100.0], [fake_logit]
    ) - float(tf.math.softplus(-100.0))
    real_term = losses.minimax_discriminator_loss(
        [real_logit], [-100.0]
    ) - float(tf.math.softplus(-100.0))
    total = losses.minimax_discriminator_loss([real_logit], [fake_logit])
    np.testing.assert_allclose(float(fake_term), 0.6976, atol=1e-4)
    np.testing.assert_allclose(float(real_term), 0.3521, atol=1e-4)
    np.testing.assert_allclose(float(total), 1.0497, atol=1e-4)
    # The notes print base-10 logs: log10(1 - 0.5022) and log10(0.7032).
    np.testing.assert_allclose(
        -float(fake_term) / math.log(10), -0.30295, atol=5e-5
    )
    np.testing.assert_allclose(
        -float(real_term) / math.log(10), -0.15292, atol=5e-5
    )
    np.testing.assert_allclose(
        -float(total) / math.log(10), -0.45587, atol=5e-5
    )
    # V(D, G) is the negated discriminator loss.
    np.testing.assert_allclose(
        float(losses.value_function([real_logit], [fake_logit])),
        -1.0497,
        atol=1e-4,
    )


def test_minimax_generator_saturates():
    """At D(G(z)) = 0.001 the minimax gradient is ~1000x smaller."""
    p = 0.001
    logit = tf.constant([math.log(p / (1 - p))])
    grads = {}
    for name in ("minimax", "non_saturating"):
        with tf.GradientTape() as tape:
            tape.watch(logit)
            loss = losses.get(name).generator(logit)
        grads[name] = float(tape.gradient(loss, logit)[0])
    # d/dl log(1 - s(l)) = -s(l); d/dl -log s(l) = -(1 - s(l)).
    np.testing.assert_allclose(grads["minimax"], -p, rtol=1e-4)
    np.testing.assert_allclose(grads["non_saturating"], -(1 - p), rtol=1e-4)
    ratio = grads["non_saturating"] / grads["minimax"]
    np.testing.assert_allclose(ratio, (1 - p) / p, rtol=1e-3)
    assert 900 < ratio < 1100


def test_value_function_is_minus_log4_at_equilibrium():
    # p_g = p_data gives D* = 1/2 everywhere, i.e. logit 0.
    v = losses.value_function(np.zeros(7, np.float32), np.zeros(9, np.float32))
    np.testing.assert_allclose(float(v), -math.log(4.0), rtol=1e-6)


def test_optimal_discriminator_1d():
    """A D trained with the library's loss approaches p_d / (p_d + p_g).

    p_data = N(0, 1) and p_g = N(1.5, 1); then logit D*(x) = 1.125 - 1.5 x.
    """
    rng = np.random.default_rng(0)
    n = 20000
    real = rng.normal(0.0, 1.0, (n, 1)).astype(np.float32)
    fake = rng.normal(1.5, 1.0, (n, 1)).astype(np.float32)
    d = keras.Sequential(
        [
            keras.Input((1,)),
            keras.layers.Dense(16, activation="tanh"),
            keras.layers.Dense(1),
        ]
    )
    opt = keras.optimizers.Adam(0.02)

    @tf.function
    def step():
        with tf.GradientTape() as tape:
            loss = losses.non_saturating_discriminator_loss(d(real), d(fake))
        grads = tape.gradient(loss, d.trainable_variables)
        opt.apply(grads, d.trainable_variables)
        return loss

    for _ in range(600):
        step()
    xs = np.array([[-1.0], [0.0], [0.75], [1.5], [2.5]], np.float32)
    p_data = np.exp(-0.5 * xs**2)
    p_g = np.exp(-0.5 * (xs - 1.5) ** 2)
    d_star = p_data / (p_data + p_g)
    d_hat = _sigmoid(d(xs).numpy())
    # Sampling error of a 20k-sample fit is about 0.01 at these points.
    np.testing.assert_allclose(d_hat, d_star, atol=0.03)
    # The fitted D also reaches the value -log 4 + 2 JSD(p_data || p_g).
    v = float(losses.value_function(d(real), d(fake)))
    grid = np.linspace(-8, 9.5, 20001)
    pd = np.exp(-0.5 * grid**2) / np.sqrt(2 * np.pi)
    pg = np.exp(-0.5 * (grid - 1.5) ** 2) / np.sqrt(2 * np.pi)
    m = 0.5 * (pd + pg)
    jsd = 0.5 * np.trapezoid(pd * np.log(pd / m), grid) + 0.5 * np.trapezoid(
        pg * np.log(pg / m), grid
    )
    np.testing.assert_allclose(v, -math.log(4) + 2 * jsd, atol=0.02)


def test_integer_logits_rejected():
    with pytest.raises(TypeError, match="floating-point logits.*int32"):
        losses.hinge_discriminator_loss([1, 2], [3, 4])


@pytest.mark.parametrize("family", losses.names())
def test_empty_logits_rejected_naming_the_argument(family):
    # The mean of no logits is NaN; it used to come back silently.
    pair = losses.get(family)
    empty, one = np.zeros((0, 1), np.float32), np.zeros((1, 1), np.float32)
    with pytest.raises(ValueError, match="`real_logits` must hold at least"):
        pair.discriminator(empty, one)
    with pytest.raises(ValueError, match="`fake_logits` must hold at least"):
        pair.discriminator(one, empty)
    with pytest.raises(ValueError, match="`fake_logits` must hold at least"):
        _generator_loss(pair, one, empty)
    if pair.generator_needs_real:
        with pytest.raises(ValueError, match="`real_logits` must hold"):
            _generator_loss(pair, empty, one)


def test_get_unknown_name_lists_known():
    with pytest.raises(ValueError, match="Known losses: minimax, non_sat"):
        losses.get("wgan")


def test_get_wrong_type():
    with pytest.raises(TypeError, match="got 3 of type int"):
        losses.get(3)
    with pytest.raises(TypeError, match="two callables"):
        losses.get((losses.hinge_generator_loss,))


def test_get_accepts_aliases_pairs_and_tuples():
    assert losses.get("Non-Saturating").name == "non_saturating"
    pair = losses.get(
        (losses.hinge_generator_loss, losses.hinge_discriminator_loss)
    )
    assert pair.generator is losses.hinge_generator_loss
    assert not pair.probabilistic
    assert losses.get(pair) is pair


def test_serialize_round_trip():
    for family in losses.names():
        pair = losses.get(family)
        assert losses.serialize(pair) == family
        assert losses.deserialize(losses.serialize(pair)) == pair
    custom = losses.LossPair(
        losses.wasserstein_generator_loss,
        losses.wasserstein_discriminator_loss,
        name="my_wgan",
    )
    restored = losses.deserialize(losses.serialize(custom))
    assert restored.name == "my_wgan"
    np.testing.assert_allclose(
        float(restored.discriminator(REAL, FAKE)),
        float(custom.discriminator(REAL, FAKE)),
        rtol=1e-7,
    )
    # Library functions reload by their registered names.
    pairing = losses.get("relativistic_pairing")
    custom = losses.LossPair(*pairing[:2], generator_needs_real=True)
    assert losses.deserialize(losses.serialize(custom)) == custom


# -- CycleGAN's image losses -------------------------------------------------


def test_cycle_and_identity_losses_match_numpy():
    rng = np.random.default_rng(3)
    x, x2 = rng.uniform(-1, 1, (2, 2, 4, 4, 3))
    y, y2 = rng.uniform(-1, 1, (2, 3, 4, 4, 3))
    expected = np.mean(np.abs(x - x2)) + np.mean(np.abs(y - y2))
    np.testing.assert_allclose(
        auxiliary_losses.cycle_consistency_loss(x, x2, y, y2),
        expected,
        rtol=1e-6,
    )
    np.testing.assert_allclose(
        auxiliary_losses.identity_loss(x, x2, y, y2), expected, rtol=1e-6
    )
    assert float(auxiliary_losses.cycle_consistency_loss(x, x, y, y)) == 0.0
    # Still importable from tfgan_lite.losses, where they used to live.
    assert losses.identity_loss is auxiliary_losses.identity_loss
    assert (
        losses.cycle_consistency_loss is auxiliary_losses.cycle_consistency_loss
    )
