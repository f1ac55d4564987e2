"""Puts tests/ on the path, for the shared helpers (``run_testutil``).

pytest puts the folder of each test file on the path; the helpers that
tests of several folders share live one level up.
"""

import pathlib
import sys

_TESTS = pathlib.Path(__file__).resolve().parents[1]
if str(_TESTS) not in sys.path:
    sys.path.insert(0, str(_TESTS))
