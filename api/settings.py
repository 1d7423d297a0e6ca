"""Configuration from the environment, checked once at start-up.

A mistake in configuration is the operator's, not a bug: it becomes a
ConfigError with one sentence naming the variable and what was expected, and
the CLI exits with status 2 without a traceback.
"""

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit


class ConfigError(Exception):
    """The configuration is not usable; the message says which setting and why."""


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str
    meili_url: str
    meili_master_key: str | None
    meili_index_prefix: str
    meili_timeout_seconds: float
    host: str
    port: int
    env: str
    db_pool_min: int
    db_pool_max: int

    @property
    def production(self) -> bool:
        return self.env == "production"


def data_dir() -> Path:
    """Where the dev stack keeps Postgres, Meilisearch and its state."""
    return Path(os.environ.get("RAPPORT_DATA_DIR", ".data")).resolve()


def _int(name: str, default: int, low: int, high: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}.") from None
    if not low <= value <= high:
        raise ConfigError(f"{name} must be between {low} and {high}, got {value}.")
    return value


def _float(name: str, default: float, low: float, high: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number, got {raw!r}.") from None
    if not low <= value <= high:
        raise ConfigError(f"{name} must be between {low} and {high}, got {value}.")
    return value


def check_database_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql"):
        raise ConfigError(
            "DATABASE_URL must be a PostgreSQL URL such as "
            f"postgresql://user:password@localhost:5432/rapport, got {url!r}."
        )
    return url


def check_meili_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"MEILI_URL must be an http(s) URL such as http://127.0.0.1:7700, got {url!r}.")
    return url.rstrip("/")


def load() -> Settings:
    """Read the settings; DATABASE_URL and MEILI_URL come from the dev stack when unset."""
    database_url = os.environ.get("DATABASE_URL")
    if not database_url:
        raise ConfigError(
            "DATABASE_URL is not set: set it to a PostgreSQL URL, or start through "
            "`make run` / `rapport dev`, which starts a local Postgres."
        )
    meili_url = os.environ.get("MEILI_URL")
    if not meili_url:
        raise ConfigError(
            "MEILI_URL is not set: set it to a Meilisearch URL, or start through "
            "`make run` / `rapport dev`, which starts a local Meilisearch."
        )
    env = os.environ.get("RAPPORT_ENV", "development")
    if env not in ("development", "production"):
        raise ConfigError(f"RAPPORT_ENV must be 'development' or 'production', got {env!r}.")
    pool_min = _int("DB_POOL_MIN", 2, 1, 100)
    pool_max = _int("DB_POOL_MAX", 10, 1, 500)
    if pool_max < pool_min:
        raise ConfigError(f"DB_POOL_MAX ({pool_max}) must not be below DB_POOL_MIN ({pool_min}).")
    prefix = os.environ.get("MEILI_INDEX_PREFIX", "rapport")
    if not prefix.replace("_", "").replace("-", "").isalnum():
        raise ConfigError(f"MEILI_INDEX_PREFIX may hold only letters, digits, '-' and '_', got {prefix!r}.")
    return Settings(
        database_url=check_database_url(database_url),
        meili_url=check_meili_url(meili_url),
        meili_master_key=os.environ.get("MEILI_MASTER_KEY") or None,
        meili_index_prefix=prefix,
        meili_timeout_seconds=_float("MEILI_TIMEOUT_SECONDS", 2.0, 0.1, 60.0),
        host=os.environ.get("HOST", "127.0.0.1"),
        port=_int("PORT", 8000, 1, 65535),
        env=env,
        db_pool_min=pool_min,
        db_pool_max=pool_max,
    )
