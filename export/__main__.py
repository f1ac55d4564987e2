"""``python -m tfgan_lite.export``: the same as the ``tfgan-export`` command."""

from tfgan_lite.export.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
