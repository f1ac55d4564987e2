"""The ``tfgan-export`` command line (also ``python -m tfgan_lite.export``).

    tfgan-export --model RUN_DIR/model.keras --out DIR \\
        --formats saved_model,tflite --quantize float16,int8 --uint8

It prints the verification report; the converter's and LiteRT's own log
lines (C++, on stderr) are held back unless ``--verbose`` is given.

Importing this module loads neither TensorFlow nor Keras: :func:`main`
checks the flags first (a mistake is reported at once, exit 2), then
starts TensorFlow quietly (:func:`tfgan_lite.commands.quiet.start`) and
only then imports the export pipeline.

Flags are parsed with absl into a private ``FlagValues`` per call (never
the global ``absl.flags.FLAGS``), so :func:`main` can be called from
tests and from programs that define their own flags. The work is done by
:func:`tfgan_lite.export.run_export` on an ``ExportConfig``, and each
flag's default is that of its ``ExportConfig`` field.

A CycleGAN's generators are exported with ``--direction xy|yx|both``
(G: X -> Y by default), optionally calibrated on real images of X
(``--calibration_images x.npy``).

Exit status (the policy of ``tfgan_lite.commands._cli``): 0 on success; 2
for bad flags or bad input (a missing model file, a model that is not a
generator, an --out that holds other files without --overwrite); 1 when a
file fails its parity check (float32 parity, or a quantized file far from
the float32 one; files and report are kept), when the model file is
truncated or corrupt, when writing fails, or when LiteRT is not installed
(the message says what to install); 130 on Ctrl-C. ``--debug`` prints the
traceback of an error.
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Sequence
from typing import NamedTuple

from absl import flags

from tfgan_lite.commands import _cli, _flags
from tfgan_lite.commands import quiet as _quiet
from tfgan_lite.export.config import (
    FORMATS,
    MINIMUMS,
    VARIANTS,
    ExportConfig,
    MissingPackageError,
)
from tfgan_lite.export.report import ParityError

__all__ = ["main"]

_PROG = "tfgan-export"
_DEFAULTS = {f.name: f.default for f in dataclasses.fields(ExportConfig)}
_USAGE = (
    f"usage: {_PROG} --model RUN_DIR/model.keras --out DIR "
    f"[--formats {','.join(_DEFAULTS['formats'])}] "
    f"[--quantize {','.join(VARIANTS[1:])}] [--uint8] [--ema|--noema] "
    f"[--batch_size {_DEFAULTS['batch_size']}] [--overwrite] "
    "[--direction xy|yx|both] [--calibration_images X.npy]"
)


class _Flag(NamedTuple):
    """How the command exposes one ExportConfig field."""

    name: str
    help: str
    # Whether absl enforces (and --help shows) the field's minimum.
    bounded: bool = True


# The fields the command exposes; the others keep their defaults. Each
# flag's default and bound come from ExportConfig and MINIMUMS.
_FLAGS = {
    "model": _Flag(
        "model",
        "The .keras file of a tfgan_lite.GAN (gan.save), of a "
        "tfgan_lite.CycleGAN, or of a bare generator model taking "
        "(N, latent_dim).",
    ),
    "out_dir": _Flag(
        "out",
        "Output directory; created if missing. Must be empty unless "
        "--overwrite is given.",
    ),
    "formats": _Flag(
        "formats", f"Formats to write, from: {', '.join(FORMATS)}."
    ),
    "quantize": _Flag(
        "quantize",
        "LiteRT variants besides float32 (always written), from: "
        f"{', '.join(VARIANTS[1:])}. int8 is dynamic-range "
        "(int8 weights), int8_full is full-integer (int8 weights and "
        "activations, float32 input/output).",
    ),
    "uint8": _Flag(
        "uint8",
        "Output uint8 images in [0, 255] (clip(round((x + 1) * 127.5))) "
        "instead of floats in [-1, 1].",
    ),
    "use_ema": _Flag(
        "ema",
        "Export the GAN's EMA generator when it has one (--noema: the "
        "trained generator).",
    ),
    "batch_size": _Flag("batch_size", "Fixed batch size of the LiteRT files."),
    "overwrite": _Flag(
        "overwrite",
        "Allow a non-empty --out: replace the files this export writes, "
        "keep all others.",
    ),
    "calibration_samples": _Flag(
        "calibration_samples",
        "N(0, 1) latent vectors that calibrate int8_full (must be >= 1 "
        "when int8_full is asked for).",
    ),
    # Seeds show no bound in --help; ExportConfig still refuses negatives.
    "calibration_seed": _Flag(
        "calibration_seed", "Seed of the calibration latents.", bounded=False
    ),
    "num_verify": _Flag(
        "num_verify",
        "Latent vectors on which every file is compared with Keras.",
    ),
    "verify_seed": _Flag(
        "seed", "Seed of the verification latents.", bounded=False
    ),
    "quantized_min_snr_db": _Flag(
        "quantized_min_snr",
        "Smallest SNR (dB, 10 log10(variance / MSE)) of a float16/int8 "
        "file against the float32 file; below it the conversion counts as "
        "broken (exit 1).",
    ),
    "direction": _Flag(
        "direction",
        "CycleGAN only: export G: X -> Y (xy, the default), F: Y -> X "
        "(yx) or both.",
    ),
    "calibration_images": _Flag(
        "calibration_images",
        "CycleGAN only: a .npy file of real images of domain X, (N, H, W, "
        "C), uint8 or float in [-1, 1]; they calibrate int8_full and are "
        "the verification inputs. Without it, uniform noise images.",
    ),
    "litertjs_dir": _Flag(
        "litertjs_dir",
        "With --formats ...,web: the node_modules folder of `npm install "
        "@litertjs/core@2.5.3`, copied into web/. Unset: node_modules of "
        "the working directory or a parent.",
    ),
    "latency_runs": _Flag(
        "latency_runs", "Timed runs per file; the report gives the median."
    ),
    "num_threads": _Flag(
        "num_threads", "CPU threads of the LiteRT interpreter while timing."
    ),
    "parity_tolerance": _Flag(
        "parity_tolerance",
        "Largest absolute error allowed for float32 files (float output).",
    ),
}


_VERBOSE_HELP = (
    "--verbose: also show the converter's and LiteRT's own log lines "
    "(and TensorFlow's, at log level 0 unless --tf_log_level is given)."
)


_HELPS = {field: flag.help for field, flag in _FLAGS.items()}
_NAMES = {field: flag.name for field, flag in _FLAGS.items()}
_LOWER_BOUNDS = {
    field: MINIMUMS[field]
    for field, flag in _FLAGS.items()
    if flag.bounded and field in MINIMUMS
}


def main(argv: Sequence[str] | None = None) -> int:
    """Runs the command.

    Args:
        argv: The arguments without the program name, e.g.
            ``["--model", "run/model.keras", "--out", "export"]``; None
            reads ``sys.argv[1:]``.

    Returns:
        The exit status: 0 success, 1 a failure (parity, a corrupt model
        file, a failed write), 2 bad flags or input, 130 on Ctrl-C.
    """
    args, debug = _cli.split_debug(sys.argv[1:] if argv is None else argv)
    args, verbose = _cli.split_bool_flag(args, "verbose")
    fv = flags.FlagValues()
    _flags.define(
        fv, ExportConfig, _HELPS, names=_NAMES, lower_bounds=_LOWER_BOUNDS
    )
    if _flags.help_requested(args):
        print(_USAGE, end="\n\n")
        print(_flags.help_text(fv))
        print(f"\n  {_cli.DEBUG_HELP}")
        print(f"  {_VERBOSE_HELP}")
        print(f"  {_quiet.FLAG_HELP}")
        return 0

    def check() -> ExportConfig:
        try:
            # --tf_log_level was read by the launcher (commands.quiet).
            _flags.parse(fv, [_PROG, *args])
        except (flags.Error, ValueError) as e:
            raise ValueError(f"{e}\n{_USAGE}") from None
        config = _flags.to_config(fv, ExportConfig, _HELPS, names=_NAMES)
        return dataclasses.replace(config, converter_logs=verbose)

    checked = []
    status = _cli.run(lambda: checked.append(check()), debug=debug, prog=_PROG)
    if status:
        return status
    _quiet.start()

    def run() -> None:
        # After the quiet start: it loads TensorFlow and LiteRT.
        from tfgan_lite.export import pipeline

        pipeline.run_export(checked[0])

    status = _cli.run(
        run,
        debug=debug,
        prog=_PROG,
        failures=(ParityError, MissingPackageError),
    )
    if argv is None and not verbose:
        # The process ends here; LiteRT logs as it frees its environment.
        _quiet.silence_exit()
    return status
