"""Hypothesis settings of the reliability tests: reproducible in CI.

The examples are derived from each test's name rather than drawn at random,
and nothing is read from or written to an example database, so every run
tries the same inputs; a failure prints the blob that reproduces it.
"""

from hypothesis import HealthCheck, settings

settings.register_profile(
    "reliability",
    database=None,
    derandomize=True,
    print_blob=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("reliability")
