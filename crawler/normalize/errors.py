"""Errors the CLI must report (never raised for page content)."""


class NormalizeError(Exception):
    """Input that cannot be normalized at all, e.g. an unreadable file or a failed fetch."""
