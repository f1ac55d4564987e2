"""The training command end to end: its run directory, flags and recipes."""

import dataclasses
import json
import os
import re

import keras
import numpy as np
import pytest
import tensorflow as tf
from run_testutil import noise_folder
from tensorboard.backend.event_processing import event_accumulator

from tfgan_lite import GAN, ClusteredGAN, callbacks
from tfgan_lite import train as train_lib
from tfgan_lite.commands import build as build_lib
from tfgan_lite.commands import run_dir
from tfgan_lite.train import build

TINY = {"epochs": 2, "steps": 3, "batch_size": 16, "latent_dim": 8, "width": 8}


def _config(tmp_path, **kwargs):
    return train_lib.TrainConfig(
        run_dir=str(tmp_path / "run"), sample_every=1, **{**TINY, **kwargs}
    )


def _tensors(run_dir, tag_dir):
    acc = event_accumulator.EventAccumulator(
        os.path.join(run_dir, "logs", tag_dir), size_guidance={"tensors": 0}
    )
    acc.Reload()
    return acc


class _InterruptAt(keras.callbacks.Callback):
    """Raises KeyboardInterrupt after a given batch, like Ctrl-C."""

    def __init__(self, epoch, batch):
        super().__init__()
        self.epoch, self.batch, self._epoch = epoch, batch, 0

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if (self._epoch, batch) == (self.epoch, self.batch):
            raise KeyboardInterrupt


@pytest.fixture(scope="session")
def finished(tmp_path_factory):
    """A finished default run (2 epochs of 3 steps), shared by its readers."""
    config = _config(tmp_path_factory.mktemp("finished"))
    gan = train_lib.train(config, verbose=0)
    return config, gan.generate(3, seed=0)


def test_run_directory_and_tensorboard_logs(finished):
    config, samples = finished
    run = config.run_dir
    with open(os.path.join(run, "config.json")) as f:
        record = json.load(f)
    assert record["config"]["dataset"] == "digits"
    assert record["config"]["batch_size"] == 16
    assert record["resolved"]["sample_shape"] == [28, 28, 1]
    assert record["resolved"]["compile"]["loss"] == "non_saturating"

    loaded = keras.saving.load_model(os.path.join(run, "model.keras"))
    assert isinstance(loaded, GAN)
    np.testing.assert_allclose(loaded.generate(3, seed=0), samples, rtol=1e-6)
    assert int(loaded.g_optimizer.iterations) == 6
    assert os.path.exists(os.path.join(run, "checkpoints", "last.keras"))

    train = _tensors(run, "train")
    for name in ("d_loss", "g_loss", "d_real", "d_fake"):
        events = train.Tensors(f"epoch_{name}")
        assert [e.step for e in events] == [0, 1], name
    samples = _tensors(run, "samples")
    image_tags = samples.Tags()["tensors"]
    assert image_tags, samples.Tags()
    assert [e.step for e in samples.Tensors(image_tags[0])] == [0, 1]
    pngs = [
        f
        for f in os.listdir(os.path.join(run, "samples"))
        if f.endswith(".png")
    ]
    assert pngs

    # Digits runs are measured with the digits classifier, at the epochs of
    # --metrics_every (0 here) and at the last one; the final report is
    # kept beside the model.
    quality = _tensors(run, "metrics")
    fd = quality.Tensors("digits_cnn_v1/fd")
    assert [e.step for e in fd] == [0, 1]
    with open(os.path.join(run, "metrics.json")) as f:
        report = json.load(f)
    assert report["epoch"] == 1 and report["extractor"] == "digits_cnn_v1"
    assert report["metrics"]["fd"]["generated"] == pytest.approx(
        float(tf.make_ndarray(fd[-1].tensor_proto)), rel=1e-6
    )


def test_epoch_summaries_ignore_the_step_logging_period(tmp_path):
    # Keras' TensorBoard callback records step summaries only at multiples
    # of its period, for the whole fit; the epoch ends here (steps 3 and 6)
    # are not multiples of 4, and their samples, metrics and health
    # figures must still be written.
    config = _config(tmp_path, log_every_steps=4, metrics_every=1)
    train_lib.train(config, verbose=0)
    run = config.run_dir
    assert [e.step for e in _tensors(run, "train").Tensors("batch_d_loss")] == [
        4
    ]
    samples = _tensors(run, "samples")
    (tag,) = samples.Tags()["tensors"]
    assert [e.step for e in samples.Tensors(tag)] == [0, 1]
    fd = _tensors(run, "metrics").Tensors("digits_cnn_v1/fd")
    assert [e.step for e in fd] == [0, 1]
    coverage = _tensors(run, "health").Tensors("coverage")
    assert [e.step for e in coverage] == [0, 1]


@pytest.mark.slow
def test_chunked_steps_log_and_checkpoint_on_the_step_axis(tmp_path):
    # Chunks of 2 steps: Keras calls the callbacks at steps 2, 4, ..., 12
    # and counts its calls (1, 2, ...); the curves and the checkpoints
    # must still be placed at training steps, also after a resumption.
    config = _config(
        tmp_path,
        epochs=2,
        steps=6,
        steps_per_execution=2,
        log_every_steps=4,
        checkpoint_every=4,
    )
    with pytest.raises(KeyboardInterrupt):
        train_lib.train(
            config, extra_callbacks=[_InterruptAt(epoch=1, batch=3)], verbose=0
        )
    backup = os.path.join(config.run_dir, "backup")
    steps = sorted(int(n[5:14]) for n in os.listdir(backup))
    # Periodic at 4 and 8, the epoch end at 6; the newest two are kept.
    assert steps == [6, 8]
    # Ctrl-C writes model.keras with the updates made so far.
    interrupted = keras.saving.load_model(
        os.path.join(config.run_dir, "model.keras")
    )
    assert int(interrupted.g_optimizer.iterations) == 10
    gan = train_lib.train(config, verbose=0)
    assert int(gan.g_optimizer.iterations) == 12
    assert int(gan.d_optimizer.iterations) == 12
    assert gan.steps_per_execution == 2
    batch = _tensors(config.run_dir, "train").Tensors("batch_d_loss")
    # Step 8's point is written twice: before the interruption at step 10
    # (which kept checkpoint 8), and by the resumed run from step 8 on.
    assert sorted({e.step for e in batch}) == [4, 8, 12]


@pytest.mark.parametrize(
    "flags, want",
    [
        ([], 10),
        (["--steps=2"], 2),
        (["--steps=1000", "--checkpoint_every=25"], 5),
        (["--log_every_steps=4"], 2),
        # One pass per epoch: its length is not known when flags are read.
        (["--steps=0"], 1),
        (["--steps=40", "--steps_per_execution=20"], 20),
    ],
)
def test_the_recipe_chunk_fits_the_steps_a_user_chose(flags, want):
    # The mlp_2d recipe trains in chunks of 10; a user's --steps that 10
    # does not divide shrinks the chunk rather than being refused.
    argv = ["train", "--model=mlp_2d", "--dataset=ring", *flags]
    assert train_lib.parse_flags(argv).steps_per_execution == want
    kwargs = {f[2:].split("=")[0]: int(f.split("=")[1]) for f in flags}
    config = train_lib.TrainConfig.for_model("mlp_2d", dataset="ring", **kwargs)
    assert config.steps_per_execution == want


def test_an_epoch_not_a_multiple_of_the_chunk_is_refused(tmp_path):
    # 1,797 digits in batches of 16: 112 steps per pass, not a multiple of 5.
    config = _config(tmp_path, steps=0, steps_per_execution=5)
    with pytest.raises(
        train_lib.UsageError,
        match=r"has 112 steps, not a multiple of --steps_per_execution \(5\)",
    ):
        train_lib.train(config, verbose=0)


def _write_saved(config, path, drop=()):
    """config.json as a run of ``config`` writes it, less ``drop``."""
    saved = dataclasses.asdict(config)
    for name in drop:
        del saved[name]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"config": saved, "resolved": {}}))
    return str(path)


def test_rerun_with_other_settings_is_refused(tmp_path):
    config = _config(tmp_path, epochs=1)
    path = _write_saved(config, tmp_path / "run" / "config.json")
    run_dir.check_same_run(config, path)
    default_lr = train_lib.TrainConfig().lr
    # train checks before it builds or reads anything.
    with pytest.raises(
        ValueError, match=rf"other settings \(lr: {default_lr} -> 0.0005"
    ):
        train_lib.train(_config(tmp_path, epochs=1, lr=5e-4), verbose=0)


@pytest.mark.slow
def test_a_run_written_before_a_setting_existed_resumes(tmp_path):
    config = _config(
        tmp_path, epochs=1, r1_penalty=0.5, r1_interval=1, metrics_every=0
    )
    # As an older version wrote it: no r1_interval, which was always 1.
    path = _write_saved(config, tmp_path / "config.json", drop=["r1_interval"])
    resumed = dataclasses.replace(config, epochs=2)
    run_dir.check_same_run(resumed, path)
    assert build(resumed).model.r1_interval == 1
    with pytest.raises(ValueError, match=r"r1_interval: 1 -> 4"):
        run_dir.check_same_run(
            dataclasses.replace(config, epochs=3, r1_interval=4), path
        )


def test_settings_a_run_does_not_read_do_not_stop_it_resuming(tmp_path):
    # A conditional run reads no cluster setting: one added later, at
    # another value than the run had, still lets it resume.
    config = _config(tmp_path, conditional=True, dataset="digits")
    path = _write_saved(config, tmp_path / "config.json")
    saved = json.loads(open(path).read())
    saved["config"].update(cluster_features="pixels", clusters=7)
    with open(path, "w") as f:
        json.dump(saved, f)
    run_dir.check_same_run(config, path)
    # A clustered run reads them, and is refused.
    clustered = _config(tmp_path, cluster_features="hog")
    with pytest.raises(ValueError, match="cluster_features: 'pixels' -> 'hog'"):
        run_dir.check_same_run(clustered, path)


def test_the_free_settings_and_run_dir_may_change_on_resumption(tmp_path):
    config = _config(tmp_path)
    path = _write_saved(config, tmp_path / "config.json")
    free = {
        "epochs": 9,
        "export": True,
        "sample_every": 3,
        "metrics_every": 0,
        "log_every_steps": 0,
        "checkpoint_every": 6,
        "on_nan": "rollback",
        "rollback_lr_factor": 0.25,
        "max_rollbacks": 1,
        "deterministic": True,
        "run_dir": str(tmp_path / "moved"),
    }
    run_dir.check_same_run(dataclasses.replace(config, **free), path)
    for name, value in {"seed": 1, "batch_size": 8, "width": 4}.items():
        with pytest.raises(ValueError, match=rf"\({name}: "):
            run_dir.check_same_run(
                dataclasses.replace(config, **{name: value}), path
            )


def test_the_r1_r2_and_top_k_flags_reach_the_model(tmp_path):
    flags = ["--r1_penalty=2", "--r2_penalty=3", "--r1_interval=8"]
    config = train_lib.parse_flags(
        ["train", f"--run_dir={tmp_path}", *flags, "--top_k=0.5"]
        + ["--top_k_steps=100"]
    )
    gan = build(config).model
    assert (gan.r1_penalty_weight, gan.r1_interval) == (2.0, 8)
    assert gan.r2_penalty_weight == 3.0
    assert (gan.top_k, gan.top_k_steps) == (0.5, 100)


def test_main_trains_from_flags(tmp_path):
    run = tmp_path / "cli"
    code = train_lib.main(
        [
            "train",
            f"--run_dir={run}",
            "--epochs=1",
            "--steps=2",
            "--batch_size=8",
            "--width=8",
            "--latent_dim=4",
            "--loss=hinge",
            "--export",
        ]
    )
    assert code == 0
    with open(run / "config.json") as f:
        assert json.load(f)["config"]["loss"] == "hinge"
    exported = run / "export"
    assert (exported / "generator_float32.tflite").is_file()
    assert (exported / "saved_model" / "saved_model.pb").is_file()
    with open(exported / "export_report.json") as f:
        report = json.load(f)
    assert "generator_float32.tflite" in json.dumps(report)


@pytest.mark.parametrize(
    "argv,message",
    [
        (["--model=dcgan_99"], "dcgan_99"),
        (["--loss=wgan"], "wgan"),
        (["--epochs=0"], "--epochs must be a positive int"),
        (["--dataset=ring"], "go with --model mlp_2d"),
        (["--batch_size=2", "--d_steps=4"], "at least d_steps"),
        (["--ema=1.5"], r"--ema must be a finite number in \[0, 1\)"),
        (["--ema_rampup=-0.1"], r"--ema_rampup must be .*\[0, 1\]"),
        (["--r1_interval=0"], "--r1_interval must be a positive int"),
        (["--top_k=0"], r"--top_k must be a finite number in \(0, 1\]"),
        (["--top_k_steps=-5"], "--top_k_steps must be"),
        (["--steps_per_execution=0"], "--steps_per_execution must be a pos"),
        (
            ["--steps=25", "--steps_per_execution=10"],
            r"--steps \(25\) must be a multiple of --steps_per_execution "
            r"\(10\).*--steps=30",
        ),
        (
            ["--steps=20", "--steps_per_execution=10", "--checkpoint_every=15"],
            r"--checkpoint_every \(15\) must be a multiple.*=20",
        ),
        (
            ["--steps=20", "--steps_per_execution=10", "--log_every_steps=5"],
            r"--log_every_steps \(5\) must be a multiple",
        ),
        (["--lr=nope"], "lr"),
        (["--clusters=1"], r"--clusters must be 0 \(a plain GAN\) or at"),
        (["--clusters=-3"], "--clusters must be"),
        (
            ["--cluster_features=edges"],
            "--cluster_features must be one of 'pixels', 'hog'",
        ),
        (
            ["--model=mlp_2d", "--dataset=ring", "--clusters=5"],
            "--clusters applies to the dcgan presets",
        ),
        (
            ["--conditional", "--clusters=10"],
            "--clusters and --conditional exclude each other",
        ),
        (
            ["--model=cyclegan", "--dataset=digits_invert", "--clusters=5"],
            "--clusters does not apply to --model=cyclegan",
        ),
    ],
)
def test_main_rejects_bad_flags(tmp_path, capsys, argv, message):
    code = train_lib.main(["train", f"--run_dir={tmp_path}", *argv])
    assert code == 2
    assert re.search(message, capsys.readouterr().err)


def _defaults(help_text):
    """Flag -> the default its help shows."""
    found = dict(
        re.findall(
            r"--(?:\[no\])?(\w+):.*?\(default: '([^']*)'\)",
            help_text,
            flags=re.S,
        )
    )
    return found


def test_main_help_lists_every_flag(capsys):
    assert train_lib.main(["train", "--help"]) == 0
    out = capsys.readouterr().out
    for field in ("dataset", "model", "loss", "d_steps", "run_dir", "minutes"):
        assert f"--{field}:" in out
    assert "--[no]export:" in out
    assert "tfgan_lite.commands._flags" not in out
    assert (
        "flags, with the defaults of the dcgan_28 recipe (the default model):"
        in out.splitlines()
    )
    # Each other model's recipe, as what differs from the one shown.
    assert any(
        line.startswith("  cyclegan: dataset digits_invert, loss least_squares")
        for line in out.splitlines()
    )
    recipe = train_lib.RECIPES["dcgan_28"]
    shown = _defaults(out)
    assert shown["blocks"] == str(recipe.blocks) == "9"
    assert shown["minutes"] == "0.0"


def test_help_shows_the_chosen_model_s_defaults(capsys):
    argv = ["tfgan-train", "--model", "cyclegan", "--help"]
    assert train_lib.main(argv) == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: tfgan-train [--flag=value ...]")
    assert "flags, with the defaults of the cyclegan recipe:" in out
    recipe = train_lib.RECIPES["cyclegan"]
    shown = _defaults(out)
    for name in ("blocks", "width", "batch_size", "epochs", "lr", "dataset"):
        assert shown[name] == str(getattr(recipe, name)), name
    assert (shown["blocks"], shown["width"], shown["batch_size"]) == (
        "2",
        "8",
        "16",
    )
    assert train_lib.main(["train", "--model=resnet", "--help"]) == 2
    assert "Unknown --model 'resnet'" in capsys.readouterr().err


def test_config_rejects_bad_values():
    with pytest.raises(ValueError, match="Known presets"):
        train_lib.TrainConfig(model="resnet")
    with pytest.raises(ValueError, match="Known losses"):
        train_lib.TrainConfig(loss="wgan")
    with pytest.raises(ValueError, match="--update must be one of"):
        train_lib.TrainConfig(update="both")


def test_a_preset_recipe_fills_the_flags_not_given():
    config = train_lib.parse_flags(
        ["train", "--model=mlp_2d", "--dataset=grid"]
    )
    assert config == train_lib.TrainConfig.for_model("mlp_2d", dataset="grid")
    assert config == train_lib.TrainConfig(model="mlp_2d", dataset="grid")
    recipe = train_lib.RECIPES["mlp_2d"]
    for field in dataclasses.fields(recipe):
        if field.name != "dataset":
            assert getattr(config, field.name) == getattr(recipe, field.name)
    # A flag given on the line wins over the recipe, even at its default.
    mine = train_lib.parse_flags(
        ["train", "--model=mlp_2d", "--dataset=ring", "--width=64", "--ema=0"]
    )
    assert mine.width == 64 and mine.ema == 0.0
    assert mine.latent_dim == recipe.latent_dim
    # The default preset is the dcgan_28 recipe.
    assert train_lib.parse_flags(["train"]) == train_lib.TrainConfig()
    assert train_lib.TrainConfig() == train_lib.RECIPES["dcgan_28"]


def test_the_recipe_trains_a_clustered_gan_that_samples_like_a_gan(tmp_path):
    config = _config(tmp_path, epochs=1, clusters=4)
    gan = train_lib.train(config, verbose=0)
    assert isinstance(gan, ClusteredGAN) and gan.num_clusters == 4
    with open(os.path.join(config.run_dir, "config.json")) as f:
        prior = json.load(f)["resolved"]["cluster_prior"]
    # Shares of one pass of batches of 16 (1,792 digits), to 5 decimals.
    counts = np.array(prior) * 1792
    np.testing.assert_allclose(counts, np.round(counts), atol=0.01)
    np.testing.assert_allclose(gan.cluster_prior(), prior, atol=1e-4)
    loaded = keras.saving.load_model(
        os.path.join(config.run_dir, "model.keras")
    )
    assert loaded.generator.input_shape == (None, 8)
    assert loaded.generate(3, seed=0).shape == (3, 28, 28, 1)
    # A resumed run keeps the clusters it started with.
    resumed = train_lib.train(dataclasses.replace(config, epochs=2), verbose=0)
    np.testing.assert_array_equal(
        resumed.cluster_centers.numpy(), gan.cluster_centers.numpy()
    )


@pytest.mark.parametrize("images, want", [(44, 5), (15, 0)])
def test_small_folders_get_fewer_clusters(tmp_path, images, want):
    from PIL import Image

    folder = tmp_path / "pictures"
    folder.mkdir()
    rng = np.random.default_rng(0)
    for i in range(images):
        pixels = rng.integers(0, 256, (28, 28), dtype=np.uint8)
        Image.fromarray(pixels).save(folder / f"{i}.png")
    config = _config(
        tmp_path, dataset=str(folder), batch_size=4, steps=0, epochs=1
    )
    built = build(config)
    gan, resolved = built.model, built.resolved
    # One cluster per 8 images (44 read in 11 batches of 4); below 2, none.
    if want:
        assert isinstance(gan, ClusteredGAN) and gan.num_clusters == want
        assert resolved["clusters"] == want
    else:
        assert type(gan) is GAN and "clusters" not in resolved
    # The folder's length is unknown; the one read counted its batches,
    # fewer than an epoch's least, so the images repeat within an epoch.
    assert images // 4 < build_lib.MIN_FOLDER_EPOCH_STEPS
    assert built.steps_per_epoch == build_lib.MIN_FOLDER_EPOCH_STEPS
    assert built.repeats


def test_a_folder_of_a_long_pass_or_given_steps_keeps_its_epoch(tmp_path):
    from PIL import Image

    folder = tmp_path / "pictures"
    folder.mkdir()
    rng = np.random.default_rng(0)
    # One pass of batch 1 a little longer than an epoch's least.
    images = build_lib.MIN_FOLDER_EPOCH_STEPS + 10
    for i in range(images):
        pixels = rng.integers(0, 256, (28, 28), dtype=np.uint8)
        Image.fromarray(pixels).save(folder / f"{i}.png")
    settings = {"dataset": str(folder), "batch_size": 1, "clusters": 0}
    built = build(_config(tmp_path, steps=0, epochs=1, **settings))
    assert (built.steps_per_epoch, built.repeats) == (images, False)
    # --steps is the user's: a short epoch stays short.
    config = _config(tmp_path, steps=3, epochs=1, **settings)
    assert build_lib.epoch_steps(config, 3) == 3
    # A point dataset and a named one keep one pass.
    ring = train_lib.TrainConfig.for_model("mlp_2d", dataset="ring", steps=0)
    assert build_lib.epoch_steps(ring, 7) == 7
    digits = train_lib.TrainConfig(dataset="digits", steps=0)
    assert build_lib.epoch_steps(digits, 56) == 56


def test_auto_augment_is_ada_on_a_small_folder_only(tmp_path, monkeypatch):
    from tfgan_lite.augment import AdaptiveAugment

    folder = noise_folder(tmp_path / "few", 40)
    settings = {"dataset": str(folder), "batch_size": 4, "clusters": 0}
    # The recipe's "auto": 40 images are a small folder, with --steps or
    # without (the pass is counted either way).
    assert train_lib.TrainConfig().augment == "auto"
    for steps in (0, 3):
        built = build(_config(tmp_path, steps=steps, epochs=1, **settings))
        assert isinstance(built.model.augment, AdaptiveAugment), steps
        assert built.resolved["augment"] == "ada"
    # At the threshold, no augmentation.
    monkeypatch.setattr(build_lib, "SMALL_FOLDER_IMAGES", 40)
    built = build(_config(tmp_path, steps=0, epochs=1, **settings))
    assert built.model.augment is None and built.resolved["augment"] == "none"
    # A choice of the user's is kept, and not recorded as resolved.
    monkeypatch.undo()
    built = build(_config(tmp_path, steps=0, augment="none", **settings))
    assert built.model.augment is None and "augment" not in built.resolved
    # Named datasets and a dataset from Python are never a folder.
    digits = train_lib.TrainConfig(dataset="digits")
    assert build_lib.resolve_augment(digits, 20) == "none"
    folder_config = train_lib.TrainConfig(dataset=str(folder))
    assert build_lib.resolve_augment(folder_config, 1) == "ada"
    assert build_lib.resolve_augment(folder_config, 1, dataset=list) == "none"


def test_a_folder_of_copies_cannot_be_clustered(tmp_path, capsys):
    from PIL import Image

    folder = tmp_path / "copies"
    folder.mkdir()
    pixels = np.random.default_rng(0).integers(0, 256, (28, 28), np.uint8)
    for i in range(24):
        Image.fromarray(pixels).save(folder / f"{i}.png")
    code = train_lib.main(
        [
            "train",
            f"--dataset={folder}",
            "--batch_size=8",
            f"--run_dir={tmp_path / 'run'}",
        ]
    )
    assert code == 2
    err = capsys.readouterr().err
    assert "--clusters 25: Cannot form 3 clusters from 1 distinct" in err
    assert "Traceback" not in err


def test_clusters_zero_and_the_colour_presets_train_a_plain_gan(tmp_path):
    plain = train_lib.parse_flags(
        ["train", "--clusters=0", f"--run_dir={tmp_path}"]
    )
    assert type(build(plain).model) is GAN
    assert train_lib.parse_flags(["train", "--model=dcgan_32"]).clusters == 0
    assert train_lib.TrainConfig().clusters == 25


@pytest.mark.parametrize(
    "flags, want",
    [
        # The dcgan_28 recipe's ramp-up stays when only the decay is set.
        (["--ema=0.999"], (0.999, 0.2)),
        ([], (0.9995, 0.2)),
        (["--ema=0.99", "--ema_rampup=0"], (0.99, None)),
        (["--model=mlp_2d", "--dataset=ring"], (0.999, None)),
    ],
)
def test_the_ema_flags_reach_the_callback(tmp_path, flags, want):
    config = train_lib.parse_flags(
        ["train", f"--run_dir={tmp_path}", "--metrics_every=0", *flags]
    )
    state = build(config).callbacks.state
    (ema,) = [c for c in state if isinstance(c, callbacks.EMAGenerator)]
    assert (ema.decay, ema.rampup) == want


def test_a_folder_holds_back_a_tenth_chosen_by_file_name_hashes():
    import hashlib

    from tfgan_lite.commands import datasets

    def names(count):
        return [f"class{i % 3}/img{i:05d}.png" for i in range(count)]

    # Under 2,000 images nothing is held back; then a tenth, up to 2,000.
    assert datasets.split_held_back(names(1_999)) == frozenset()
    for count, want in ((2_000, 200), (4_321, 432), (30_000, 2_000)):
        files = names(count)
        held = datasets.split_held_back(files)
        ranked = sorted(
            files, key=lambda f: hashlib.sha256(f.encode()).digest()
        )
        assert held == frozenset(ranked[:want])
    # The split depends on the names, not their order; a file added later
    # moves at most one file across it.
    files = names(2_500)
    shuffled = list(np.random.default_rng(0).permutation(files))
    assert datasets.split_held_back(shuffled) == datasets.split_held_back(files)
    grown = datasets.split_held_back([*files, "new.png"])
    assert len(grown ^ datasets.split_held_back(files)) <= 2
