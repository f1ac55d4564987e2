"""The package's commands: training, evaluation, and what they share.

``tfgan-train``, ``tfgan-evaluate`` and ``tfgan-sample`` start here, as do
``python -m tfgan_lite.train`` and ``python -m tfgan_lite.evaluate``
(``tfgan_lite/train.py`` and ``evaluate.py`` are their entry points).
The modules, from the command line inwards:

* ``launch``, ``quiet``: the console scripts' start and a quiet
  TensorFlow start;
* ``train``, ``evaluate``, ``sample``, ``_flags``, ``_cli``,
  ``_console``: flags, ``main``, exit codes and what the commands print.
  A command's module imports no TensorFlow: ``main`` checks the flags
  first, so a usage error costs no TensorFlow start;
* ``config``, ``names``: ``TrainConfig``, the recipe of each model, and
  the names the flags are checked against;
* ``kinds``, ``datasets``, ``builders``, ``build``: the kinds of run, their
  data, models and callbacks, and the public ``build(config)``;
* ``run_dir``, ``trainer``, ``fit_loop``, ``checkpoints``: the run
  directory, ``train(config)``, resume and NaN rollback, step checkpoints.

Importing this package imports nothing else, so that the launcher can set
TensorFlow's log level before TensorFlow loads.
"""

__all__: list[str] = []
