"""What govwatch stored, in the formats others read: WARC 1.1 (``warc``: ``WarcExport``)."""

from crawler.export.warc import WarcExport

__all__ = ["WarcExport"]
