"""slacheck: logistics service-level agreements as code that can be checked."""

__version__ = "0.1.0"
