"""The plain names the command checks before TensorFlow loads equal the
registries they mirror, and the command's modules load no TensorFlow."""

import atexit  # noqa: F401  (used by the runner below, in its own process)
import subprocess
import sys

import pytest

from tfgan_lite import augment, data, losses
from tfgan_lite.commands import names
from tfgan_lite.data import unpaired
from tfgan_lite.gans import UPDATES
from tfgan_lite.gans.clustered import ADAPT_SAMPLES, FEATURES


def test_the_names_equal_the_registries():
    assert names.LOSSES == losses.names()
    assert names.UPDATES == UPDATES
    assert names.AUGMENTATIONS == augment.NAMES
    assert names.IMAGE_DATASETS == ("digits", *data.SUPPORTED_TFDS)
    assert names.DIGITS_MAPPINGS == unpaired.DIGITS_MAPPINGS
    assert names.CYCLE_GAN_PAIRS == data.CYCLE_GAN_PAIRS
    assert names.CLUSTER_SAMPLES == ADAPT_SAMPLES
    assert names.CLUSTER_FEATURES == FEATURES


# Runs the console script's function as tfgan-train does; at exit, says
# whether TensorFlow was ever imported.
_RUNNER = """
import atexit, sys
atexit.register(lambda: print("tensorflow" in sys.modules))
sys.argv = ["tfgan-train", *sys.argv[1:]]
from tfgan_lite.commands import launch
launch.train()
"""


@pytest.mark.parametrize(
    "args,code,message",
    [
        (["--epoch=5"], 2, "error: Unknown command line flag 'epoch'"),
        (["--lr=fast"], 2, "error: flag --lr=fast"),
        (["--loss=wgan"], 2, "error: Unknown GAN loss 'wgan'"),
        (["--dataset=mnsit"], 2, "error: --dataset 'mnsit' is neither"),
        (
            ["--model=cyclegan", "--clusters=3"],
            2,
            "error: --clusters does not apply to --model=cyclegan",
        ),
        (["--tf_log_level=7"], 2, "error: --tf_log_level must be one of"),
        (["--model=cyclegan", "--help"], 0, ""),
    ],
)
def test_usage_errors_and_help_load_no_tensorflow(args, code, message):
    done = subprocess.run(
        [sys.executable, "-c", _RUNNER, *args],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == code, done.stderr
    assert done.stderr.startswith(message), done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout.splitlines()[-1] == "False"
