"""The package's commands: training, evaluation, and what they share.

``python -m tfgan_lite.train`` and ``python -m tfgan_lite.evaluate`` start
here (``tfgan_lite/train.py`` and ``evaluate.py`` are their entry points).
The modules, from the command line inwards:

* ``launch``, ``quiet``: a quiet TensorFlow start, before anything heavy
  is imported;
* ``train``, ``evaluate``, ``_flags``, ``_cli``, ``_console``: flags,
  ``main``, exit codes and what the commands print;
* ``config``: ``TrainConfig`` and the recipe of each model;
* ``kinds``, ``datasets``, ``builders``, ``build``: the kinds of run, their
  data, models and callbacks, and the public ``build(config)``;
* ``run_dir``, ``trainer``, ``fit_loop``, ``checkpoints``: the run
  directory, ``train(config)``, resume and NaN rollback, step checkpoints.

Importing this package imports nothing else, so that the launcher can set
TensorFlow's log level before TensorFlow loads.
"""

__all__: list[str] = []
