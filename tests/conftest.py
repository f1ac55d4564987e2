"""Shared test settings: quiet TensorFlow, deterministic seeds."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _seed():
    keras.utils.set_random_seed(1234)
    yield
    # No forced gc.collect(): a full collection per test cost about 0.4 s
    # once the process holds many traced functions (over half the suite's
    # time); Python's own collector still runs.
    keras.backend.clear_session(free_memory=False)
