"""Puts tests/ on sys.path, so that these tests import its helpers.

Helpers such as ``mirrored_testutil`` live in tests/ and are imported by
plain name; pytest inserts only each test file's own folder.
"""

import os
import sys

_TESTS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if _TESTS not in sys.path:
    sys.path.insert(0, _TESTS)
