"""config.yaml (+ the site files it includes) → frozen, validated objects.

``load_config(path)`` for files, ``config_from_dict(data, source, base_dir)`` for embedded defaults;
a ``ConfigError`` lists every problem of the file, each as ``FILE:LINE: key.path: problem``. Every
key, its default and its meaning: docs/CONFIG.md. Sink types and CMS profiles declare their own keys
(``crawler.config.kinds`` asks their registries, and the integrity detectors' for rule names); ``json_schema()`` is the JSON Schema for editors.
"""

from crawler.config.build import BatchConfigs, config_from_dict, load_batch_config, load_config
from crawler.config.durations import parse_duration
from crawler.config.errors import ConfigError, Issue
from crawler.config.kinds import json_schema
from crawler.config.schema import (
    COLUMN_KINDS,
    STALE_AFTER_BY_KIND,
    ColumnConfig,
    Config,
    CrawlConfig,
    DaemonConfig,
    IntegrityConfig,
    LinkCheckConfig,
    Politeness,
    RetentionConfig,
    RevisitConfig,
    SinkOptions,
    SiteConfig,
    cron_trigger,
    user_agent,
)

__all__ = [
    "BatchConfigs",
    "COLUMN_KINDS",
    "STALE_AFTER_BY_KIND",
    "ColumnConfig",
    "Config",
    "ConfigError",
    "CrawlConfig",
    "DaemonConfig",
    "IntegrityConfig",
    "Issue",
    "LinkCheckConfig",
    "Politeness",
    "RetentionConfig",
    "RevisitConfig",
    "SinkOptions",
    "SiteConfig",
    "config_from_dict",
    "cron_trigger",
    "json_schema",
    "load_batch_config",
    "load_config",
    "parse_duration",
    "user_agent",
]
