"""config.yaml (+ the site files it includes) → frozen, validated objects.

``load_config(path)`` for files, ``config_from_dict(data, source, base_dir)`` for embedded defaults;
every ``ConfigError`` reads ``FILE:LINE: key.path: problem``. Keys and defaults: config.yaml.
"""

from crawler.config.build import config_from_dict, load_config
from crawler.config.durations import parse_duration
from crawler.config.errors import ConfigError
from crawler.config.schema import (
    COLUMN_KINDS,
    STALE_AFTER_BY_KIND,
    ColumnConfig,
    Config,
    DaemonConfig,
    GenericConfig,
    LinkCheckConfig,
    Politeness,
    RevisitConfig,
    SinkConfig,
    SiteConfig,
    cron_trigger,
    user_agent,
)

__all__ = [
    "COLUMN_KINDS",
    "STALE_AFTER_BY_KIND",
    "ColumnConfig",
    "Config",
    "ConfigError",
    "DaemonConfig",
    "GenericConfig",
    "LinkCheckConfig",
    "Politeness",
    "RevisitConfig",
    "SinkConfig",
    "SiteConfig",
    "config_from_dict",
    "cron_trigger",
    "load_config",
    "parse_duration",
    "user_agent",
]
