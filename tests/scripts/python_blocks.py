"""Runs Python code blocks of the docs, one interpreter for all of them.

Each request is one block, run as ``python -c CODE`` would run it in
folder ``cwd``: as ``__main__`` in a fresh namespace, with ``sys.argv``
``["-c"]`` and the folder first on ``sys.path``. The reply is the exit
status ``python -c`` would have had; the traceback of an error goes to
stderr, as Python prints it. After each block the global TensorFlow and
Keras settings a block may change (op determinism, the dtype policy, the
Keras session) are put back, so the next block starts as in a new
process.
"""

import os
import sys
import traceback

from serve import serve


def _run(code: str, cwd: str, name: str) -> int:
    os.chdir(cwd)
    sys.argv = ["-c"]
    sys.path[0] = ""
    namespace = {"__name__": "__main__", "__builtins__": __builtins__}
    try:
        exec(compile(code, name, "exec"), namespace)
    except SystemExit as stop:
        if stop.code is None or isinstance(stop.code, int):
            return stop.code or 0
        print(stop.code, file=sys.stderr)
        return 1
    except BaseException:
        traceback.print_exc()
        return 1
    finally:
        _reset()
    return 0


def _reset() -> None:
    """Puts back what a block may have changed of the process' settings."""
    if "keras" not in sys.modules:
        return
    import keras
    from tensorflow.python.framework import config as tf_config

    # TensorFlow exports only enable_op_determinism (train() calls it).
    tf_config.disable_op_determinism()
    keras.mixed_precision.set_global_policy("float32")
    keras.config.set_floatx("float32")
    keras.backend.clear_session()


if __name__ == "__main__":
    serve(_run)
