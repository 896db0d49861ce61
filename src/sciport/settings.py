"""Django settings, read from environment variables through ``sciport.config``."""

from __future__ import annotations

from pathlib import Path

from sciport import config

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = config.var_dir()

SECRET_KEY = config.secret_key(VAR_DIR)
DEBUG = config.boolean("SCIPORT_DEBUG")
ALLOWED_HOSTS = [host.strip() for host in config.env("SCIPORT_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if host.strip()]
SERVE_HOST = config.env("SCIPORT_HOST", "127.0.0.1")
SERVE_PORT = config.integer("SCIPORT_PORT", 8000, minimum=1)
SERVE_WORKERS = config.integer("SCIPORT_WORKERS", 1, minimum=1)
SITE_URL = config.env("SCIPORT_SITE_URL", f"http://{SERVE_HOST}:{SERVE_PORT}").rstrip("/")
CSRF_TRUSTED_ORIGINS = [SITE_URL]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.socialaccount.providers.saml",
    "ninja",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "sciport.core",
    "sciport.accounts",
    "sciport.notifications",
    "sciport.uploads",
    "sciport.datasets",
    "sciport.web",
]

MIDDLEWARE = [
    "sciport.core.observability.RequestIdMiddleware",
    "sciport.core.problems.ApiProblemMiddleware",
    "sciport.core.idempotency.IdempotencyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "sciport.web.middleware.UserPreferencesMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "sciport.urls"
WSGI_APPLICATION = "sciport.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # Searched before the apps' folders, so that our allauth layouts and elements win over allauth's own.
        "DIRS": [BASE_DIR / "accounts" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "sciport.web.context.shell",
            ],
        },
    },
]

DATABASES = {"default": config.database(VAR_DIR)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {
    # Shared by every server and worker process, so rate limits hold across them.
    "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "sciport_cache"},
}

STORAGE_CONFIG = config.storage(VAR_DIR)
if STORAGE_CONFIG.kind == "s3":
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": STORAGE_CONFIG.bucket,
            "endpoint_url": STORAGE_CONFIG.endpoint_url or None,
            "region_name": STORAGE_CONFIG.region,
            "file_overwrite": False,
            "querystring_expire": 3600,
            "signature_version": "s3v4",
            "addressing_style": "path",
        },
    }
else:
    _default_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": STORAGE_CONFIG.location},
    }
STORAGES = {
    "default": _default_storage,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
WHITENOISE_USE_FINDERS = True
UPLOAD_DIR = Path(config.env("SCIPORT_UPLOAD_DIR") or VAR_DIR / "uploads").resolve()
UPLOAD_MAX_BYTES = config.integer("SCIPORT_UPLOAD_MAX_BYTES", 1_000_000_000_000, minimum=1)
UPLOAD_EXPIRY_HOURS = config.integer("SCIPORT_UPLOAD_EXPIRY_HOURS", 72, minimum=1)

TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
        "OPTIONS": {},
    }
}
TASK_STALE_SECONDS = config.integer("SCIPORT_TASK_STALE_SECONDS", 3600, minimum=60)
FIXITY_DAILY_BYTES = config.integer("SCIPORT_FIXITY_DAILY_BYTES", 100_000_000_000, minimum=1)
TASK_MAX_ATTEMPTS = 5
TASK_RETRY_BASE_SECONDS = 10

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "web:dashboard"

ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if SITE_URL.startswith("https") else "http"
_login_count, _login_seconds = config.rate("SCIPORT_RATE_LIMIT_LOGIN")
LOGIN_RATE_LIMIT = (_login_count, _login_seconds)
ACCOUNT_RATE_LIMITS = {"login_failed": f"{_login_count}/{_login_seconds}s/ip,5/300s/key"}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "sciport"
SOCIALACCOUNT_ONLY = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_PROVIDERS: dict[str, dict[str, object]] = {
    "openid_connect": {
        "APPS": [
            {
                "provider_id": provider.id,
                "name": provider.name,
                "client_id": provider.client_id,
                "secret": provider.secret,
                "settings": {"server_url": provider.issuer},
            }
            for provider in config.oidc_providers()
        ]
    }
}

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

_mail = config.email(VAR_DIR)
globals().update(_mail)
DEFAULT_FROM_EMAIL = config.env("SCIPORT_EMAIL_FROM", "sciport <noreply@sciport.local>")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

AI_BASE_URL = config.env("SCIPORT_AI_BASE_URL")
PID_PROVIDER = config.choice("SCIPORT_PID_PROVIDER", "local", ("local", "datacite", "cstr"))
PID_PREFIX = config.env("SCIPORT_PID_PREFIX", "20.500.12345")
DATACITE_URL = config.env("SCIPORT_DATACITE_URL", "https://api.datacite.org")
DATACITE_USER = config.env("SCIPORT_DATACITE_USER")
DATACITE_PASSWORD = config.env("SCIPORT_DATACITE_PASSWORD")
config.check_pid_provider(PID_PROVIDER, PID_PREFIX)
DATASET_MAX_FILES = config.integer("SCIPORT_DATASET_MAX_FILES", 100_000, minimum=1)
DATASET_MAX_BYTES = config.integer("SCIPORT_DATASET_MAX_BYTES", 1_000_000_000_000, minimum=1)
OAI_PAGE_SIZE = config.integer("SCIPORT_OAI_PAGE_SIZE", 100, minimum=1)
LOG_FORMAT = config.env("SCIPORT_LOG_FORMAT", "text")
if LOG_FORMAT not in {"text", "json"}:
    raise config.ConfigError(f"SCIPORT_LOG_FORMAT must be text or json, got {LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "sciport.core.observability.RequestIdFilter"}},
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["request_id"]}},
    "root": {"handlers": ["console"], "level": config.env("SCIPORT_LOG_LEVEL", "INFO").upper()},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

NINJA_PAGINATION_PER_PAGE = 50
