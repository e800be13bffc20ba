"""Never installed by a worker: this package has no wheel."""

__version__ = "1.0"
