"""Configuration from environment variables only.

Every setting the operator may change is declared once in ``SETTINGS`` so that the
README table, ``sciport check`` and the settings module read the same source.
"""

from __future__ import annotations

import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlparse


class ConfigError(Exception):
    """A configuration value that cannot work; the message is one line for the operator."""


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("SCIPORT_VAR_DIR", "./var", "Folder for the SQLite file, local files, the generated secret key and process metrics."),
    Setting(
        "SCIPORT_DATABASE_URL",
        "sqlite:///<var>/sciport.sqlite3",
        "Database: `sqlite:///path` (WAL mode) or `postgres://user@host:5432/name`.",
    ),
    Setting(
        "SCIPORT_STORAGE_URL",
        "file://<var>/files",
        "File storage: `file:///folder` or `s3://bucket?endpoint=http://host:8333&region=us-east-1`.",
    ),
    Setting("SCIPORT_SECRET_KEY", "generated into `<var>/secret_key`", "Django secret key; keep it stable across restarts."),
    Setting("SCIPORT_ALLOWED_HOSTS", "127.0.0.1,localhost", "Comma-separated host names the server answers to."),
    Setting("SCIPORT_DEBUG", "false", "Django debug mode; never in production."),
    Setting("SCIPORT_HOST", "127.0.0.1", "Address `sciport serve` binds to."),
    Setting("SCIPORT_PORT", "8000", "Port `sciport serve` listens on."),
    Setting("SCIPORT_WORKERS", "1", "Granian worker processes for `sciport serve`."),
    Setting("SCIPORT_SITE_URL", "http://<host>:<port>", "Public base URL, used in e-mails and links."),
    Setting("SCIPORT_EMAIL_URL", "console://", "Mail: `console://`, `file:///folder` or `smtp://user:pass@host:587?tls=1`."),
    Setting("SCIPORT_EMAIL_FROM", "sciport <noreply@sciport.local>", "Sender address of outgoing mail."),
    Setting("SCIPORT_LOG_FORMAT", "text", "`text` for people, `json` for log collectors (each line carries the request id)."),
    Setting("SCIPORT_LOG_LEVEL", "INFO", "Python log level."),
    Setting(
        "SCIPORT_PID_PROVIDER",
        "local",
        "Dataset identifiers: `local` (handle-like, resolved by sciport), `datacite` (DOIs) or `cstr`.",
    ),
    Setting(
        "SCIPORT_PID_PREFIX",
        "20.500.12345",
        "Prefix of minted identifiers: a handle or DOI prefix, or the CSTR registration-agency code.",
    ),
    Setting(
        "SCIPORT_DATACITE_URL",
        "https://api.datacite.org",
        "DataCite REST API of the `datacite` identifier provider (`https://api.test.datacite.org` to try it out).",
    ),
    Setting("SCIPORT_DATACITE_USER", "", "DataCite repository id (such as `ABCD.SCIPORT`); required by the `datacite` provider."),
    Setting("SCIPORT_DATACITE_PASSWORD", "", "DataCite repository password; required by the `datacite` provider."),
    Setting("SCIPORT_DATASET_MAX_FILES", "100000", "Most files one dataset version may hold."),
    Setting("SCIPORT_DATASET_MAX_BYTES", "1000000000000", "Most bytes one dataset version may hold (1 TB by default)."),
    Setting(
        "SCIPORT_OAI_PAGE_SIZE", "100", "Records (or identifiers) in one page of an OAI-PMH list, before its resumption token."
    ),
    Setting("SCIPORT_AI_BASE_URL", "", "Optional OpenAI-compatible endpoint for semantic matching and the assistant."),
    Setting(
        "SCIPORT_OIDC_PROVIDERS",
        "",
        "Institutional single sign-on, OpenID Connect: `id|Name|https://issuer|client_id|secret`, several separated by `;`.",
    ),
    Setting("SCIPORT_RATE_LIMIT_LOGIN", "10/60", "Login and token attempts allowed per client address: `count/seconds`."),
    Setting(
        "SCIPORT_TASK_STALE_SECONDS", "3600", "A task still marked running this long after its worker vanished is queued again."
    ),
    Setting(
        "SCIPORT_FIXITY_DAILY_BYTES",
        "100000000000",
        "Stored dataset bytes the daily preservation check re-reads (least recently checked first); the whole store is covered every (stored bytes ÷ this) days.",
    ),
    Setting(
        "SCIPORT_UPLOAD_DIR",
        "<var>/uploads",
        "Folder for partial uploads; on the same file system as the storage folder, a finished file is renamed into place.",
    ),
    Setting("SCIPORT_UPLOAD_MAX_BYTES", "1000000000000", "Largest single upload in bytes (tus `Tus-Max-Size`; 1 TB by default)."),
    Setting(
        "SCIPORT_UPLOAD_EXPIRY_HOURS",
        "72",
        "An upload left unfinished (or finished and never used) this long after its last chunk is deleted.",
    ),
)


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def var_dir() -> Path:
    path = Path(env("SCIPORT_VAR_DIR", "./var")).resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def secret_key(var: Path) -> str:
    """The configured key, else one generated once and kept under var/ so sessions survive restarts."""
    configured = env("SCIPORT_SECRET_KEY")
    if configured:
        if len(configured) < 32:
            raise ConfigError("SCIPORT_SECRET_KEY must be at least 32 characters long")
        return configured
    key_file = var / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def database(var: Path) -> dict[str, object]:
    url = env("SCIPORT_DATABASE_URL") or f"sqlite:///{var / 'sciport.sqlite3'}"
    scheme = urlparse(url).scheme
    if scheme == "sqlite":
        path = url.removeprefix("sqlite:///").removeprefix("sqlite://")
        if not path:
            raise ConfigError(f"SCIPORT_DATABASE_URL has no file path: {url!r}")
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": path,
            # Reuse each thread's connection: opening one (and its PRAGMAs) per request
            # costs more than the queries of a typical API call.
            "CONN_MAX_AGE": 600,
            "OPTIONS": {
                # IMMEDIATE: a writer takes the lock at BEGIN, so read-then-write
                # transactions (audit chain, balances) never deadlock on upgrade.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
            },
            "TEST": {"NAME": str(Path(path).with_name("test_" + Path(path).name))},
        }
    if scheme in {"postgres", "postgresql"}:
        import dj_database_url

        parsed = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
        if not parsed.get("NAME"):
            raise ConfigError(f"SCIPORT_DATABASE_URL names no database: {url!r}")
        return dict(parsed)
    raise ConfigError(f"SCIPORT_DATABASE_URL must start with sqlite:/// or postgres://, got {url!r}")


@dataclass(frozen=True)
class StorageConfig:
    kind: str
    location: str = ""
    bucket: str = ""
    endpoint_url: str = ""
    region: str = "us-east-1"


def storage(var: Path) -> StorageConfig:
    url = env("SCIPORT_STORAGE_URL") or f"file://{var / 'files'}"
    parsed = urlparse(url)
    if parsed.scheme == "file":
        return StorageConfig(kind="file", location=parsed.path or str(var / "files"))
    if parsed.scheme == "s3":
        if not parsed.netloc:
            raise ConfigError(f"SCIPORT_STORAGE_URL names no bucket: {url!r}")
        query = {key: values[-1] for key, values in parse_qs(parsed.query).items()}
        return StorageConfig(
            kind="s3",
            bucket=parsed.netloc,
            endpoint_url=query.get("endpoint", ""),
            region=query.get("region", "us-east-1"),
        )
    raise ConfigError(f"SCIPORT_STORAGE_URL must start with file:// or s3://, got {url!r}")


def email(var: Path) -> dict[str, object]:
    url = env("SCIPORT_EMAIL_URL", "console://")
    parsed = urlparse(url)
    if parsed.scheme == "console":
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if parsed.scheme == "file":
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": parsed.path or str(var / "mail"),
        }
    if parsed.scheme == "smtp":
        query = parse_qs(parsed.query)
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": parsed.hostname or "localhost",
            "EMAIL_PORT": parsed.port or 25,
            "EMAIL_HOST_USER": parsed.username or "",
            "EMAIL_HOST_PASSWORD": parsed.password or "",
            "EMAIL_USE_TLS": query.get("tls", ["0"])[-1] == "1",
        }
    raise ConfigError(f"SCIPORT_EMAIL_URL must start with console://, file:// or smtp://, got {url!r}")


def rate(name: str) -> tuple[int, int]:
    value = env(name, "10/60")
    try:
        count, seconds = (int(part) for part in value.split("/"))
    except ValueError:
        raise ConfigError(f"{name} must look like COUNT/SECONDS, got {value!r}") from None
    if count < 1 or seconds < 1:
        raise ConfigError(f"{name} must have a positive count and period, got {value!r}")
    return count, seconds


def integer(name: str, default: int, minimum: int = 0) -> int:
    value = env(name, str(default))
    try:
        number = int(value)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {value!r}") from None
    if number < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, got {number}")
    return number


def choice(name: str, default: str, allowed: tuple[str, ...]) -> str:
    value = env(name, default) or default
    if value not in allowed:
        raise ConfigError(f"{name} must be one of {', '.join(allowed)}, got {value!r}")
    return value


def boolean(name: str, default: bool = False) -> bool:
    value = env(name, "true" if default else "false").lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off", ""}:
        return False
    raise ConfigError(f"{name} must be true or false, got {value!r}")


@dataclass(frozen=True)
class OidcProvider:
    id: str
    name: str
    issuer: str
    client_id: str
    secret: str


def oidc_providers() -> list[OidcProvider]:
    value = env("SCIPORT_OIDC_PROVIDERS")
    providers = []
    for entry in filter(None, (part.strip() for part in value.split(";"))):
        parts = entry.split("|")
        if len(parts) != 5 or not all(parts):
            raise ConfigError("SCIPORT_OIDC_PROVIDERS entries must be id|Name|issuer-url|client_id|secret")
        providers.append(OidcProvider(*parts))
    return providers


def check_pid_provider(provider: str, prefix: str) -> None:
    """Refuse an identifier provider that cannot work: DataCite needs its credentials and a DOI prefix, CSTR an agency code."""
    if provider == "datacite":
        if not (env("SCIPORT_DATACITE_USER") and env("SCIPORT_DATACITE_PASSWORD")):
            raise ConfigError(
                "SCIPORT_PID_PROVIDER=datacite needs SCIPORT_DATACITE_USER and SCIPORT_DATACITE_PASSWORD (the repository id and password)"
            )
        if not re.fullmatch(r"10\.\d{4,9}", prefix):
            raise ConfigError(
                f"SCIPORT_PID_PREFIX must be a DOI prefix such as 10.12345 for the datacite provider, got {prefix!r}"
            )
        url = env("SCIPORT_DATACITE_URL", "https://api.datacite.org")
        if urlparse(url).scheme not in {"http", "https"}:
            raise ConfigError(f"SCIPORT_DATACITE_URL must start with https://, got {url!r}")
    if provider == "cstr" and not re.fullmatch(r"[0-9A-Za-z]{5}", prefix):
        raise ConfigError(
            f"SCIPORT_PID_PREFIX must be the five-character CSTR registration-agency code (such as 31253) for the cstr provider, got {prefix!r}"
        )
