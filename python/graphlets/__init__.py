"""graphlets: an analytical warehouse for the provenance of production ML pipelines."""

__version__ = "0.1.0"
