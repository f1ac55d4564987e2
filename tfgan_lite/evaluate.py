"""Command line evaluation: ``python -m tfgan_lite.evaluate``.

Measures a trained generator against real data, offline, and prints a table
(``--json`` prints JSON instead). The command lives in
``tfgan_lite.commands.evaluate``; this module is its entry point and
re-exports its public names.

Example:
    python -m tfgan_lite.evaluate --model runs/default/model.keras \\
        --dataset digits
"""

from __future__ import annotations

if __name__ == "__main__":
    # Before the imports below load TensorFlow: its start-up lines
    # are held back (tfgan_lite.commands.quiet).
    from tfgan_lite.commands import launch

    launch.evaluate()  # Runs main() and exits.

from tfgan_lite.commands.evaluate import (
    EXTRACTORS,
    EvaluateConfig,
    evaluate,
    format_result,
    main,
)

__all__ = ["EXTRACTORS", "EvaluateConfig", "evaluate", "format_result", "main"]
