"""Configuration from the environment, checked once at start-up.

A mistake in configuration is the operator's, not a bug: it becomes a
ConfigError with one sentence naming the variable and what was expected, and
the CLI exits with status 2 without a traceback.
"""

import ipaddress
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit

from domain.teams import Team, parse_team

Number = TypeVar("Number", int, float)


class ConfigError(Exception):
    """The configuration is not usable; the message says which setting and why."""


@dataclass(frozen=True, slots=True)
class JwtSettings:
    """How to verify identity-provider JWTs: an HS256 secret, or RS256/ES256 keys from a JWKS URL."""

    secret: str | None
    jwks_url: str | None
    issuer: str
    audience: str
    leeway_seconds: int
    provision_team: Team | None  # unknown emails become users of this team; None refuses them


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str
    meili_url: str
    meili_master_key: str | None
    meili_index_prefix: str
    meili_timeout_seconds: float
    host: str
    port: int
    workers: int  # server processes for `rapport serve`
    env: str
    db_pool_min: int
    db_pool_max: int
    subscription_max_lag: int
    subscriptions_per_user: int  # live subscriptions one user may hold in one process
    subscriptions_per_connection: int
    jwt: JwtSettings | None  # None: only our own API tokens
    max_depth: int
    max_aliases: int
    max_tokens: int
    max_cost: int
    introspection: bool
    max_body_bytes: int
    rate_limit_per_second: float  # 0 turns rate limiting off
    rate_limit_burst: int
    cors_origins: tuple[str, ...]
    cors_allow_credentials: bool
    trusted_proxies: tuple[str, ...]
    compiled_reads: str  # "on", "off", or "shadow" (run both, serve the executor's, count differences)
    trusted_documents: (
        str  # "off", "allow" (log unregistered documents) or "require" (run only registered ones)
    )
    metrics: str  # "on" (/metrics on the API's port), "off", or "port" (metrics_port)
    metrics_port: int | None
    log_json: bool
    # Customer messages (README, "Customer messages"): where statement links point, how mail goes out.
    public_url: str | None = None  # None: the URL the API was called on
    smtp_url: str | None = None  # None: messages wait, nothing is sent
    mail_from: str = "ar@localhost"

    @property
    def production(self) -> bool:
        return self.env == "production"


def data_dir() -> Path:
    """Where the dev stack keeps Postgres, Meilisearch and its state."""
    return Path(os.environ.get("RAPPORT_DATA_DIR", ".data")).resolve()


def _int(name: str, default: int, low: int, high: int) -> int:
    return _number(name, default, low, high, int, "a whole number")


def _float(name: str, default: float, low: float, high: float) -> float:
    return _number(name, default, low, high, float, "a number")


def _number(
    name: str, default: Number, low: Number, high: Number, parse: Callable[[str], Number], what: str
) -> Number:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = parse(raw)
    except ValueError:
        raise ConfigError(f"{name} must be {what}, got {raw!r}.") from None
    if not low <= value <= high:
        raise ConfigError(f"{name} must be between {low} and {high}, got {value}.")
    return value


def _text(name: str) -> str | None:
    value = os.environ.get(name, "").strip()
    return value or None


def _bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name} must be true or false, got {raw!r}.")


def _list(name: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in os.environ.get(name, "").split(",") if item.strip())


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


def _check_http_url(name: str, url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"{name} must be an http(s) URL, got {url!r}.")


def _jwt() -> JwtSettings | None:
    secret, jwks_url = _text("RAPPORT_JWT_SECRET"), _text("RAPPORT_JWKS_URL")
    if secret is None and jwks_url is None:
        for name in ("RAPPORT_JWT_ISSUER", "RAPPORT_JWT_AUDIENCE", "RAPPORT_JWT_PROVISION_TEAM"):
            if _text(name):
                raise ConfigError(f"{name} is set but neither RAPPORT_JWT_SECRET nor RAPPORT_JWKS_URL is.")
        return None
    if secret is not None and jwks_url is not None:
        raise ConfigError("Set RAPPORT_JWT_SECRET (HS256) or RAPPORT_JWKS_URL (RS256/ES256), not both.")
    if secret is not None and len(secret.encode()) < 32:
        raise ConfigError("RAPPORT_JWT_SECRET must be at least 32 bytes long for HS256.")
    if jwks_url is not None:
        _check_http_url("RAPPORT_JWKS_URL", jwks_url)
    issuer, audience = _text("RAPPORT_JWT_ISSUER"), _text("RAPPORT_JWT_AUDIENCE")
    if issuer is None or audience is None:
        raise ConfigError(
            "RAPPORT_JWT_ISSUER and RAPPORT_JWT_AUDIENCE must both be set when JWTs are accepted, "
            "so that tokens issued for other applications are refused."
        )
    team = _text("RAPPORT_JWT_PROVISION_TEAM")
    provision_team = None
    if team is not None:
        try:
            provision_team = parse_team(team)
        except ValueError as error:
            raise ConfigError(f"RAPPORT_JWT_PROVISION_TEAM: {error}.") from None
        if provision_team in (Team.ADMIN, Team.INTEGRATION):
            raise ConfigError(
                f"RAPPORT_JWT_PROVISION_TEAM may not be {provision_team.value}: grant that team by hand "
                "with `rapport users add`."
            )
    return JwtSettings(
        secret=secret,
        jwks_url=jwks_url,
        issuer=issuer,
        audience=audience,
        leeway_seconds=_int("RAPPORT_JWT_LEEWAY_SECONDS", 30, 0, 300),
        provision_team=provision_team,
    )


def _cors_origins() -> tuple[str, ...]:
    origins = _list("RAPPORT_CORS_ORIGINS")
    for origin in origins:
        parts = urlsplit(origin)
        exact = (
            parts.scheme in ("http", "https")
            and parts.hostname
            and origin == f"{parts.scheme}://{parts.netloc}"
        )
        if origin != "*" and not exact:
            raise ConfigError(
                "RAPPORT_CORS_ORIGINS must list origins such as https://app.example.com "
                f"(scheme and host, no path or trailing slash) or *, got {origin!r}."
            )
    return origins


def _trusted_proxies() -> tuple[str, ...]:
    proxies = _list("RAPPORT_TRUSTED_PROXIES")
    for proxy in proxies:
        try:
            if proxy != "*":
                ipaddress.ip_network(proxy)
        except ValueError:
            raise ConfigError(
                f"RAPPORT_TRUSTED_PROXIES must list IP addresses or networks (or *), got {proxy!r}."
            ) from None
    return proxies


def listen_address() -> tuple[str, int]:
    """HOST and PORT, readable before the rest: the port is taken before anything is started."""
    return os.environ.get("HOST", "127.0.0.1"), _int("PORT", 8000, 1, 65535)


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
    cors_origins = _cors_origins()
    cors_credentials = _bool("RAPPORT_CORS_ALLOW_CREDENTIALS", False)
    if cors_credentials and "*" in cors_origins:
        raise ConfigError(
            "RAPPORT_CORS_ALLOW_CREDENTIALS cannot be true while RAPPORT_CORS_ORIGINS allows * (any origin); "
            "list the origins."
        )
    if cors_credentials and not cors_origins:
        raise ConfigError("RAPPORT_CORS_ALLOW_CREDENTIALS is true but RAPPORT_CORS_ORIGINS lists no origin.")
    host, port = listen_address()
    return Settings(
        database_url=check_database_url(database_url),
        meili_url=check_meili_url(meili_url),
        meili_master_key=os.environ.get("MEILI_MASTER_KEY") or None,
        meili_index_prefix=prefix,
        meili_timeout_seconds=_float("MEILI_TIMEOUT_SECONDS", 2.0, 0.1, 60.0),
        host=host,
        port=port,
        workers=_int("RAPPORT_WORKERS", 1, 1, 64),
        env=env,
        db_pool_min=pool_min,
        db_pool_max=pool_max,
        subscription_max_lag=_int("RAPPORT_SUBSCRIPTION_MAX_LAG", 1000, 1, 1_000_000),
        subscriptions_per_user=_int("RAPPORT_SUBSCRIPTIONS_PER_USER", 50, 1, 100_000),
        subscriptions_per_connection=_int("RAPPORT_SUBSCRIPTIONS_PER_CONNECTION", 20, 1, 10_000),
        jwt=_jwt(),
        max_depth=_int("RAPPORT_MAX_DEPTH", 12, 2, 100),
        max_aliases=_int("RAPPORT_MAX_ALIASES", 30, 0, 1_000),
        max_tokens=_int("RAPPORT_MAX_TOKENS", 5_000, 100, 100_000),
        max_cost=_int("RAPPORT_MAX_COST", 10_000, 1, 10_000_000),
        introspection=_bool("RAPPORT_INTROSPECTION", env != "production"),
        max_body_bytes=_int("RAPPORT_MAX_BODY_BYTES", 1024 * 1024, 1024, 100 * 1024 * 1024),
        rate_limit_per_second=_float("RAPPORT_RATE_LIMIT_PER_SECOND", 20.0, 0.0, 1_000_000.0),
        rate_limit_burst=_int("RAPPORT_RATE_LIMIT_BURST", 100, 1, 1_000_000),
        cors_origins=cors_origins,
        cors_allow_credentials=cors_credentials,
        trusted_proxies=_trusted_proxies(),
        compiled_reads=_choice("RAPPORT_COMPILED_READS", "on", ("on", "off", "shadow")),
        trusted_documents=_choice("RAPPORT_TRUSTED_DOCUMENTS", "off", ("off", "allow", "require")),
        **_metrics(),
        log_json=_log_format(env) == "json",
        public_url=_public_url(),
        smtp_url=_smtp_url(),
        mail_from=os.environ.get("RAPPORT_MAIL_FROM", "ar@localhost"),
    )


def _public_url() -> str | None:
    value = os.environ.get("RAPPORT_PUBLIC_URL", "").strip()
    if value and not value.startswith(("http://", "https://")):
        raise ConfigError(f"RAPPORT_PUBLIC_URL must start with http:// or https://, got {value!r}.")
    return value.rstrip("/") or None


def _smtp_url() -> str | None:
    value = os.environ.get("RAPPORT_SMTP_URL", "").strip()
    if value and not value.startswith(("smtp://", "smtps://")):
        raise ConfigError("RAPPORT_SMTP_URL must start with smtp:// (STARTTLS when offered) or smtps://.")
    return value or None


def _choice(name: str, default: str, allowed: tuple[str, ...]) -> str:
    value = os.environ.get(name, default).strip().lower()
    if value not in allowed:
        raise ConfigError(f"{name} must be one of {', '.join(allowed)}; got {value!r}.")
    return value


def _metrics() -> dict:
    raw = os.environ.get("RAPPORT_METRICS", "on").strip().lower()
    if raw in ("on", "off"):
        return {"metrics": raw, "metrics_port": None}
    if raw.isdigit() and 1024 <= int(raw) <= 65535:
        return {"metrics": "port", "metrics_port": int(raw)}
    raise ConfigError(f"RAPPORT_METRICS must be 'on', 'off' or a port number (1024-65535), got {raw!r}.")


def _log_format(env: str) -> str:
    value = os.environ.get("RAPPORT_LOG_FORMAT", "json" if env == "production" else "text").strip().lower()
    if value not in ("json", "text"):
        raise ConfigError(f"RAPPORT_LOG_FORMAT must be 'json' or 'text', got {value!r}.")
    return value
