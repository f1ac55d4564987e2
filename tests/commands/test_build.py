"""build(): the one read before step 1, and the parts of a run."""

import numpy as np
import pytest
import tensorflow as tf

from tfgan_lite import GAN, callbacks, models
from tfgan_lite import train as train_lib
from tfgan_lite.commands import datasets, kinds
from tfgan_lite.commands._cli import UsageError


def _shuffled(n=10, batch=2, seed=3):
    """Batches of 0..n-1 as (n, 1) floats, reshuffled every pass."""
    values = np.arange(n, dtype="float32")[:, None]
    ds = tf.data.Dataset.from_tensor_slices(values)
    ds = ds.shuffle(n, seed=seed, reshuffle_each_iteration=True)
    return ds.batch(batch, drop_remainder=True)


def _stream(dataset, batches):
    taken = dataset.repeat().take(batches)
    return np.concatenate([b.numpy() for b in taken])


def test_a_read_past_one_pass_gives_the_repeated_stream():
    first = datasets.read_first(_shuffled(), samples=16, repeat=True)
    np.testing.assert_array_equal(first.samples, _stream(_shuffled(), 8))
    # The passes differ: the stream reshuffles, and the read followed it.
    assert sorted(first.samples[:10, 0]) == list(range(10))
    assert not np.array_equal(first.samples[:6], first.samples[10:16])
    assert first.pass_batches == 5


def test_one_pass_is_read_to_its_end_only_when_asked():
    short = datasets.read_first(_shuffled(), samples=4)
    assert len(short.samples) == 4 and short.pass_batches is None
    counted = datasets.read_first(_shuffled(), samples=4, count_pass=True)
    np.testing.assert_array_equal(counted.samples, short.samples)
    assert counted.pass_batches == 5
    # Without repeat a read ends with the pass, however many were asked.
    whole = datasets.read_first(_shuffled(), samples=100)
    assert len(whole.samples) == 10 and whole.pass_batches == 5


def test_the_first_pass_ends_at_the_batch_past_the_samples_asked():
    first = datasets.read_first(_shuffled(), samples=2, pass_samples=5)
    assert [len(b) for b in first.first_pass] == [2, 2, 2]
    np.testing.assert_array_equal(
        np.concatenate(first.first_pass), _stream(_shuffled(), 3)
    )
    everything = datasets.read_first(_shuffled(), samples=2, pass_samples=99)
    assert len(everything.first_pass) == 5 and everything.pass_batches == 5


def test_no_full_batch_is_a_usage_error():
    with pytest.raises(UsageError, match="no full batch"):
        datasets.read_first(_shuffled(n=3, batch=4), samples=1, repeat=True)


def test_a_run_builds_its_pipeline_once_and_once_per_fit(tmp_path, monkeypatch):
    made = []
    kind = kinds.KINDS["clustered"]

    def counted(config):
        made.append(config)
        return datasets.images(config)

    monkeypatch.setitem(
        kinds.KINDS, "clustered", kind._replace(dataset=counted)
    )
    config = train_lib.TrainConfig(
        run_dir=str(tmp_path / "run"),
        epochs=2,
        steps=3,
        batch_size=16,
        latent_dim=8,
        width=8,
        clusters=4,
        metrics_every=1,
    )
    gan = train_lib.train(config, verbose=0)
    assert gan.num_clusters == 4
    assert gan.features == "hog"
    # One for build's read (clusters, health, measurements), one for fit.
    assert len(made) == 2


def test_build_takes_other_data_and_network_options(tmp_path):
    images = np.random.default_rng(0).uniform(-1, 1, (64, 28, 28, 3))

    def stacked():
        ds = tf.data.Dataset.from_tensor_slices(images.astype("float32"))
        return ds.batch(8, drop_remainder=True)

    config = train_lib.TrainConfig(
        run_dir=str(tmp_path), clusters=0, steps=4, latent_dim=8, width=8
    )
    built = train_lib.build(config, dataset=stacked, minibatch_stddev=True)
    assert type(built.model) is GAN
    assert tuple(built.model.sample_shape) == (28, 28, 3)
    assert built.resolved["sample_shape"] == [28, 28, 3]
    assert built.steps_per_epoch == 4
    layers = [layer.name for layer in built.model.discriminator.layers]
    assert any("stddev" in name for name in layers), layers
    (ema,) = built.callbacks.state
    assert isinstance(ema, callbacks.EMAGenerator)
    reference = models.dcgan((28, 28, 3), latent_dim=8, width=8)[0]
    assert built.model.generator.count_params() == reference.count_params()


def test_the_training_stream_skips_to_its_step_with_autotuning_off():
    from tfgan_lite.commands import fit_loop

    stream = fit_loop._stream(_shuffled, 7)
    # Step 7 of an uninterrupted run is batch 2 of its second pass.
    expected = _stream(_shuffled(), 10)[7 * 2 :]
    np.testing.assert_array_equal(
        np.concatenate([b.numpy() for b in stream.take(3)]), expected
    )
    # Autotuning's thread made the iterator's destructor wait up to a
    # minute when fit returned.
    assert stream.options().autotune.enabled is False
