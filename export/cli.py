"""The ``tfgan-export`` command line (also ``python -m tfgan_lite.export``).

    tfgan-export --model RUN_DIR/model.keras --out DIR \\
        --formats saved_model,tflite --quantize float16,int8 --uint8

Flags are parsed with absl into a private ``FlagValues`` per call (never
the global ``absl.flags.FLAGS``), so :func:`main` can be called from
tests and from programs that define their own flags. The work is done by
:func:`tfgan_lite.export.run_export` on an ``ExportConfig``.

Exit status: 0 on success, 1 when a float32 file fails the parity check
(files and report are kept), 2 for bad flags or bad input.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from absl import flags
from tfgan_lite.export import litert, pipeline

__all__ = ["main"]

_PROG = "tfgan-export"
_USAGE = (
    f"usage: {_PROG} --model RUN_DIR/model.keras --out DIR "
    "[--formats saved_model,tflite] [--quantize float16,int8,int8_full] "
    "[--uint8] [--ema|--noema] [--batch_size 1] [--overwrite]"
)


def _define_flags(fv: flags.FlagValues) -> None:
    """Defines the command's flags on ``fv``."""
    flags.DEFINE_string(
        "model",
        None,
        "The .keras file of a tfgan_lite.GAN (gan.save) or of a bare "
        "generator model taking (N, latent_dim).",
        flag_values=fv,
    )
    flags.DEFINE_string(
        "out",
        None,
        "Output directory; created if missing. Must be empty unless "
        "--overwrite is given.",
        flag_values=fv,
    )
    flags.DEFINE_list(
        "formats",
        list(pipeline.FORMATS),
        f"Formats to write, from: {', '.join(pipeline.FORMATS)}.",
        flag_values=fv,
    )
    flags.DEFINE_list(
        "quantize",
        [],
        "LiteRT variants besides float32 (always written), from: "
        f"{', '.join(litert.VARIANTS[1:])}. int8 is dynamic-range "
        "(int8 weights), int8_full is full-integer (int8 weights and "
        "activations, float32 input/output).",
        flag_values=fv,
    )
    flags.DEFINE_bool(
        "uint8",
        False,
        "Output uint8 images in [0, 255] (clip(round((x + 1) * 127.5))) "
        "instead of floats in [-1, 1].",
        flag_values=fv,
    )
    flags.DEFINE_bool(
        "ema",
        True,
        "Export the GAN's EMA generator when it has one (--noema: the "
        "trained generator).",
        flag_values=fv,
    )
    flags.DEFINE_integer(
        "batch_size",
        1,
        "Fixed batch size of the LiteRT files.",
        lower_bound=1,
        flag_values=fv,
    )
    flags.DEFINE_bool(
        "overwrite",
        False,
        "Allow a non-empty --out: replace the files this export writes, "
        "keep all others.",
        flag_values=fv,
    )
    flags.DEFINE_integer(
        "calibration_samples",
        100,
        "N(0, 1) latent vectors that calibrate int8_full (must be >= 1 "
        "when int8_full is asked for).",
        lower_bound=0,
        flag_values=fv,
    )
    flags.DEFINE_integer(
        "calibration_seed",
        1,
        "Seed of the calibration latents.",
        flag_values=fv,
    )
    flags.DEFINE_integer(
        "num_verify",
        16,
        "Latent vectors on which every file is compared with Keras.",
        lower_bound=1,
        flag_values=fv,
    )
    flags.DEFINE_integer(
        "seed", 0, "Seed of the verification latents.", flag_values=fv
    )
    flags.DEFINE_integer(
        "latency_runs",
        20,
        "Timed runs per file; the report gives the median.",
        lower_bound=1,
        flag_values=fv,
    )
    flags.DEFINE_integer(
        "num_threads",
        1,
        "CPU threads of the LiteRT interpreter while timing.",
        lower_bound=1,
        flag_values=fv,
    )
    flags.DEFINE_float(
        "parity_tolerance",
        1e-5,
        "Largest absolute error allowed for float32 files (float output).",
        lower_bound=0.0,
        flag_values=fv,
    )
    flags.mark_flags_as_required(["model", "out"], flag_values=fv)


def _config(fv: flags.FlagValues) -> pipeline.ExportConfig:
    return pipeline.ExportConfig(
        model=fv.model,
        out_dir=fv.out,
        formats=tuple(fv.formats),
        quantize=tuple(fv.quantize),
        uint8=fv.uint8,
        use_ema=fv.ema,
        batch_size=fv.batch_size,
        overwrite=fv.overwrite,
        calibration_samples=fv.calibration_samples,
        calibration_seed=fv.calibration_seed,
        num_verify=fv.num_verify,
        verify_seed=fv.seed,
        latency_runs=fv.latency_runs,
        num_threads=fv.num_threads,
        parity_tolerance=fv.parity_tolerance,
        verbose=True,
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Runs the command.

    Args:
        argv: The arguments without the program name, e.g.
            ``["--model", "run/model.keras", "--out", "export"]``; None
            reads ``sys.argv[1:]``.

    Returns:
        The exit status: 0 success, 1 parity failure, 2 bad flags or input.
    """
    args = list(sys.argv[1:] if argv is None else argv)
    fv = flags.FlagValues()
    _define_flags(fv)
    if any(a in ("-h", "--help", "-help", "--helpfull") for a in args):
        print(_USAGE)
        print(fv.get_help(include_special_flags=False))
        return 0
    try:
        rest = fv([_PROG, *args])
    except flags.Error as e:
        return _fail(f"{e}\n{_USAGE}", 2)
    if len(rest) > 1:
        return _fail(
            f"unexpected positional arguments {rest[1:]}.\n{_USAGE}", 2
        )
    try:
        pipeline.run_export(_config(fv))
    except pipeline.ParityError as e:
        return _fail(str(e), 1)
    except (ValueError, TypeError, OSError) as e:
        return _fail(str(e), 2)
    return 0


def _fail(message: str, status: int) -> int:
    print(f"{_PROG}: error: {message}", file=sys.stderr)
    return status
