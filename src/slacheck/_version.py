"""The version, in one place: the package metadata and every report read it from here."""

__version__ = "0.1.0"
