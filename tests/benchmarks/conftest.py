"""Makes the benchmark modules importable: benchmarks/ is not a package.

The scripts there import each other as top-level modules (they run as
``python benchmarks/x.py``), so the tests put that folder on the path.
"""

import pathlib
import sys

_BENCHMARKS = pathlib.Path(__file__).resolve().parents[2] / "benchmarks"
if str(_BENCHMARKS) not in sys.path:
    sys.path.insert(0, str(_BENCHMARKS))
