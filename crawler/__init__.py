"""govwatch: watch Chinese government information-disclosure pages."""

__version__ = "0.1.0"
