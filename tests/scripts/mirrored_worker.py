"""Runs the mirrored comparisons of several scripts in one process.

Each request names a script of this folder and its arguments; the reply
is that script's ``compare(*args)``. TensorFlow starts once, with two
logical CPUs, for all of them (see tests/mirrored_testutil.py).
"""

import importlib

import keras
import mirrored_setup  # noqa: F401  (the two CPUs, before any op runs)
from serve import serve


def _compare(script: str, args: list[str]) -> dict:
    module = importlib.import_module(script.removesuffix(".py"))
    try:
        return module.compare(*args)
    finally:
        # Each comparison starts from a clean Keras state, as in its own
        # process; both of its runs already share one.
        keras.backend.clear_session()


if __name__ == "__main__":
    serve(_compare)
