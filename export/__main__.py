"""``python -m tfgan_lite.export``: the same as the ``tfgan-export`` command."""

if __name__ == "__main__":
    # Before the import below loads TensorFlow: its start-up lines are held
    # back (tfgan_lite.commands.quiet).
    from tfgan_lite.commands import launch

    launch.export()

from tfgan_lite.export.cli import main

__all__ = ["main"]
