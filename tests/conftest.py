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


# Before pytest-xdist's own hook, which reads the groups.
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Keeps the tests that share a module- or session-scoped fixture of
    ours on one pytest-xdist worker.

    Under ``--dist loadgroup`` (pyproject.toml) each group runs on one
    worker, so a shared setup (a trained and exported model, the
    kill-and-resume runs) is made once rather than once per worker that
    draws one of its tests; xdist sends the largest groups first. Tests
    linked through any chain of such fixtures form one group.
    """
    parent: dict[str, str] = {}

    def root(owner):
        while parent.setdefault(owner, owner) != owner:
            owner = parent[owner]
        return owner

    owners_of = []
    for item in items:
        info = getattr(item, "_fixtureinfo", None)
        owners = sorted(
            {
                # Where it is defined: a conftest's folder or a module.
                # pytest's own fixtures (baseid "") are cheap and shared.
                f"{definition.baseid}::{name}"
                for name, definitions in (
                    info.name2fixturedefs.items() if info else ()
                )
                for definition in definitions
                if definition.scope in ("module", "session")
                and definition.baseid
                # An autouse one would join every test below it.
                and not getattr(definition, "_autouse", False)
            }
        )
        owners_of.append(owners)
        for other in owners[1:]:
            a, b = sorted((root(owners[0]), root(other)))
            parent[b] = a
    for item, owners in zip(items, owners_of, strict=True):
        if owners:
            item.add_marker(pytest.mark.xdist_group(root(owners[0])))
