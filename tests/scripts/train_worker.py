"""Runs the train command in process, one request per run.

Each request is a command line of ``tfgan-train`` (without the program
name); the run goes through ``parse_flags`` and ``train`` as the command's
main does, and the reply is 0. Start it with TF_NUM_INTEROP_THREADS=1 and
TF_NUM_INTRAOP_THREADS=1 for runs with ``--deterministic``: one thread
per op can only be set before TensorFlow's runtime starts. After each run
Keras' names and global state start from zero, as in a new process.
"""

from serve import serve


def _train(argv: list[str]) -> int:
    import keras

    from tfgan_lite import train as train_lib

    try:
        train_lib.train(train_lib.parse_flags(["train", *argv]), verbose=0)
    finally:
        keras.backend.clear_session()
    return 0


if __name__ == "__main__":
    serve(_train)
