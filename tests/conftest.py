"""Shared test settings: quiet TensorFlow, deterministic seeds, profiles.

The full suite (``python -m pytest -q -n auto tests``, what CI runs) runs
every test with the "ci" Hypothesis profile. A quicker local loop leaves out
the end-to-end runs marked ``slow`` and tries fewer Hypothesis examples:

    HYPOTHESIS_PROFILE=dev python -m pytest -q -n auto -m "not slow" tests
"""

import gc
import os
import weakref

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import pytest  # noqa: E402
import tensorflow as tf  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402

# The examples are derived from each test's name rather than drawn at
# random, and no example database is read or written, so every run tries
# the same inputs; a failure prints the blob that reproduces it.
settings.register_profile(
    "ci",
    max_examples=200,
    database=None,
    derandomize=True,
    print_blob=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", settings.get_profile("ci"), max_examples=20)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


# The tf.data iterators made by iterating a dataset (fit, loops), weakly.
_ITERATORS: weakref.WeakSet = weakref.WeakSet()
_dataset_iter = tf.data.Dataset.__iter__


def _tracked_iter(dataset):
    iterator = _dataset_iter(dataset)
    _ITERATORS.add(iterator)
    return iterator


tf.data.Dataset.__iter__ = _tracked_iter


@pytest.fixture(autouse=True)
def _seed():
    keras.utils.set_random_seed(1234)
    before = {id(i) for i in _ITERATORS}
    yield
    # A fit that stops early (an error, a dataset that runs out) leaves its
    # iterator in a reference cycle inside Keras' epoch iterator. Freed by a
    # later test's garbage collection, such an iterator held that test up
    # for 30 to 60 s; freed now, it goes at once. Only then a full
    # collection: one per test cost about 0.4 s once the process holds
    # many traced functions.
    if any(id(i) not in before for i in _ITERATORS):
        gc.collect()
    keras.backend.clear_session(free_memory=False)
