"""CORETT Hub settings.

Every setting is read from the environment (healthchecks' style), so the same module serves the
demo, the tests and production. Nothing exists only in production: what differs is the values.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from corett.lib.crypto import new_key, new_key_entry

BASE_DIR = Path(__file__).resolve().parent.parent
PACKAGE_DIR = Path(__file__).resolve().parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def envbool(name: str, default: str = "False") -> bool:
    value = os.environ.get(name, default).strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false, yes/no, on/off)")


def envint(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer") from exc


def envsecret(
    name: str,
    *,
    generate_into: Path | None = None,
    generate: Callable[[], str] = lambda: secrets.token_urlsafe(48),
) -> str | None:
    """A secret from NAME, or the file NAME_FILE names, or the one the demo generated (once)."""
    if os.environ.get(name):
        return os.environ[name]
    path = os.environ.get(f"{name}_FILE")
    if path:
        return Path(path).read_text().strip()
    if generate_into is not None and generate_into.exists():
        # A key the demo generated earlier in this data dir: a developer's later
        # `corett makemigrations` or `corett shell` in the same checkout reads it too.
        return generate_into.read_text().strip()
    if generate_into is not None and _generate:
        if not generate_into.exists():
            generate_into.parent.mkdir(parents=True, exist_ok=True)
            try:
                # "x": of two processes starting at once, one writes and both read the same.
                with open(generate_into, "x", opener=lambda p, f: os.open(p, f, 0o600)) as fh:
                    fh.write(generate())
            except FileExistsError:
                pass
        return generate_into.read_text().strip()
    return None


DATA_DIR = Path(os.environ.get("CORETT_DATA_DIR", BASE_DIR / "var")).resolve()
# The demo (and the test suite) may generate their own secrets into the data dir; a production
# deployment must provide them, so a forgotten variable fails loudly instead of silently
# signing sessions with a throwaway key.
DEMO = envbool("CORETT_DEMO")
# pytest (8.2+) announces itself in PYTEST_VERSION before Django loads.
TESTING = envbool("CORETT_TESTING") or "PYTEST_VERSION" in os.environ
_generate = DEMO or TESTING

DEBUG = envbool("DEBUG")

SECRET_KEY = envsecret("SECRET_KEY", generate_into=DATA_DIR / "secret_key")
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY (or SECRET_KEY_FILE) must be set; only the demo generates one."
    )

# Field-encryption key ring: "id:base64key,id:base64key"; the first key encrypts, all decrypt.
# It never lives in the database: a stolen dump alone reveals no protected field.
# Its format is checked at startup (corett.core.checks), so a malformed ring fails `corett check`.
FIELD_ENCRYPTION_KEYS = envsecret(
    "FIELD_ENCRYPTION_KEYS",
    generate_into=DATA_DIR / "field_encryption_keys",
    generate=new_key_entry,
)
if not FIELD_ENCRYPTION_KEYS:
    raise ImproperlyConfigured(
        "FIELD_ENCRYPTION_KEYS (or FIELD_ENCRYPTION_KEYS_FILE) must be set; "
        "generate one with `corett generate-key`."
    )
# Blind indexes (exact-match search over encrypted fields) have their own key, kept apart from
# the ring so that rotating encryption keys never invalidates the indexes.
FIELD_BLIND_INDEX_KEY = envsecret(
    "FIELD_BLIND_INDEX_KEY",
    generate_into=DATA_DIR / "field_blind_index_key",
    generate=new_key,
)
if not FIELD_BLIND_INDEX_KEY:
    raise ImproperlyConfigured(
        "FIELD_BLIND_INDEX_KEY (or FIELD_BLIND_INDEX_KEY_FILE) must be set; "
        "generate one with `corett generate-key --blind-index`."
    )

ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()]
SITE_ROOT = os.environ.get("SITE_ROOT", "http://127.0.0.1:8000")
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "corett.core",
    "corett.audit",
    "corett.accounts",
    "corett.directory",
    "corett.cases",
    "corett.notifications",
    "corett.statistics",
    "corett.reporting",
    "corett.infographics",
    "corett.meetings",
    "corett.plans",
    "corett.training",
    "corett.website",
    "corett.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Anonymous visitors' public pages from the cache, before sessions and the rest do any work.
    "corett.website.cache.PublicPageMiddleware",
    "corett.core.middleware.RequestContextMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "corett.accounts.middleware.RequireTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, so that a locked-out login attempt is answered before any view runs.
    "axes.middleware.AxesMiddleware",
]

# templates.W003: "i18n" names two libraries because TEMPLATES replaces Django's on purpose
# (corett.core.templatetags.kept_i18n); a test keeps any other duplicate name failing.
SILENCED_SYSTEM_CHECKS = ["axes.W006", "templates.W003"]

ROOT_URLCONF = "corett.urls"
WSGI_APPLICATION = "corett.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "corett.core.context_processors.platform",
                "corett.notifications.context_processors.notifications",
            ],
            # Django's i18n tags, with {% translate "constant" %} kept per language.
            "libraries": {"i18n": "corett.core.templatetags.kept_i18n"},
            # {% url %} with each pattern reversed once (corett.lib.urls.kept_reverse).
            "builtins": ["corett.core.templatetags.kept_url"],
        },
    },
]

FORM_RENDERER = "corett.core.forms.FormRenderer"

# Database: SQLite in the data dir unless DATABASE_URL says otherwise.
DATA_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{DATA_DIR / 'corett.sqlite3'}",
        conn_max_age=envint("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # WAL and a busy timeout: the demo serves several requests at once without "database is locked".
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
# PostgreSQL: the statements every page runs (corett.lib.compiled) are prepared on the server
# once per connection; 0 behind a connection pooler in transaction mode.
DB_PREPARED_STATEMENTS = envbool("DB_PREPARED_STATEMENTS", "True")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "corett.accounts.backends.AccountBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    # Argon2 is deliberately slow; the suite creates hundreds of users. Production never sets this.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Lockout: 5 failures for one username within 15 minutes lock it for 15 minutes.
AXES_FAILURE_LIMIT = envint("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=envint("LOGIN_LOCKOUT_MINUTES", 15))
# Per account, not per address: a whole ministry often sits behind one NAT address, and one
# person's typos must not lock out their colleagues. (Hence axes.W006 is silenced below.)
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "corett.accounts.views.locked_out"
AXES_USERNAME_FORM_FIELD = "username"
# Masked in the attempt records axes keeps: a mistyped recovery code is most of a valid one.
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "otp_token"]
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = False

# Sessions: an idle session ends after SESSION_IDLE_MINUTES (saved on every request, so the
# expiry slides while the user works).
SESSION_COOKIE_AGE = envint("SESSION_IDLE_MINUTES", 30) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# Transport security: on unless the platform runs over plain HTTP on a developer's machine.
SECURE = envbool("CORETT_SECURE", "False" if (DEMO or DEBUG or TESTING) else "True")
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
SECURE_SSL_REDIRECT = SECURE and envbool("SECURE_SSL_REDIRECT", "True")
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 63072000) if SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE
SECURE_HSTS_PRELOAD = SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if envbool("USE_X_FORWARDED_PROTO"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy: no inline scripts or styles, nothing from other origins.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Internationalisation: Spanish first, English complete.
LANGUAGE_CODE = "es"
LANGUAGES = [("es", _("Spanish")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = os.environ.get("TIME_ZONE", "America/Guatemala")
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", DATA_DIR / "static"))
if _generate:
    # The demo and tests serve from the app directories; WhiteNoise still wants its root to exist.
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if (DEBUG or DEMO or TESTING)
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# In the demo and tests the app serves files straight from the packages (no collectstatic needed).
WHITENOISE_USE_FINDERS = DEBUG or DEMO or TESTING
WHITENOISE_AUTOREFRESH = DEBUG or TESTING
MEDIA_ROOT = DATA_DIR / "media"

# Case attachments: the largest file accepted, in MB. The upload view keeps files in memory up to
# this size and never in a temporary file (they are a victim's documents, in clear); a larger
# file is read off the connection, dropped and refused by its size.
CASE_ATTACHMENT_MAX_MB = envint("CASE_ATTACHMENT_MAX_MB", 10)

# The cache holds rate-limit counters (logins aside: axes keeps those in the database), public
# pages and rendered infographics. Several processes must share it, or each keeps its own
# counters: by default a directory in the data dir (one host); `CACHE_URL`-style settings are
# not parsed, set CACHE_BACKEND/CACHE_LOCATION for Redis or Memcached. Tests keep theirs in memory.
CACHES = {
    "default": {
        "BACKEND": os.environ.get(
            "CACHE_BACKEND",
            "django.core.cache.backends.locmem.LocMemCache" if TESTING
            else "django.core.cache.backends.filebased.FileBasedCache",
        ),
        "LOCATION": os.environ.get("CACHE_LOCATION", "" if TESTING else str(DATA_DIR / "cache")),
    }
}

# Meetings: the largest agenda document or follow-up evidence file accepted, in MB; the public
# website: the largest image or attachment an editor may upload, in MB.
MEETINGS_DOCUMENT_MAX_MB = envint("MEETINGS_DOCUMENT_MAX_MB", 20)
WEBSITE_UPLOAD_MAX_MB = envint("WEBSITE_UPLOAD_MAX_MB", 20)

# National reporting: the largest filled template accepted, in MB (a template is tens of KB;
# a larger file is read off the connection, dropped and refused by its size).
REPORTING_UPLOAD_MAX_MB = envint("REPORTING_UPLOAD_MAX_MB", 5)

# Statistics: disclosure control of every figure that leaves its country (counts from 1 to the
# threshold minus one are suppressed; case-level sources need at least k cases per figure), the
# optional epsilon of differentially private public counts (needs OpenDP; unset: off), and the
# largest GLOTIP/CTDC file the importers accept. After changing the first three, run
# `corett refresh-statistics`.
STATISTICS_SUPPRESSION_THRESHOLD = envint("STATISTICS_SUPPRESSION_THRESHOLD", 5)
STATISTICS_K_ANONYMITY = envint("STATISTICS_K_ANONYMITY", 10)
STATISTICS_DP_EPSILON = float(os.environ.get("STATISTICS_DP_EPSILON") or 0) or None
STATISTICS_IMPORT_MAX_BYTES = envint("STATISTICS_IMPORT_MAX_MB", 25) * 1024 * 1024

# E-mail: the console in the demo; SMTP from EMAIL_URL-style variables in production.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if (DEMO or DEBUG)
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", 587)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = envsecret("EMAIL_HOST_PASSWORD") or ""
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", "True")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "CORETT Hub <no-reply@corett.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

OTP_TOTP_ISSUER = "CORETT Hub"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "corett.accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["corett.api.permissions.PolicyPermission"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    # JSON only: people explore the API at /api/docs/ (Swagger UI, CSP-clean); DRF's browsable
    # pages carry inline styles our Content-Security-Policy refuses.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "EXCEPTION_HANDLER": "corett.api.exceptions.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "CORETT Hub API",
    "DESCRIPTION": "The coalition's directory and, module by module, the rest of the platform.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",  # everything from our origin: the CSP allows no other
    "COMPONENT_SPLIT_REQUEST": True,
    # Tags and operation ids from the resource ("people_list"), not from the version prefix.
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",
    # One name for a choice set shared by several fields (country and organisation languages).
    "ENUM_NAME_OVERRIDES": {
        "LanguageEnum": "corett.directory.models.LANGUAGE_CHOICES",
        # Repatriation cases: one name per choice set used by several fields.
        "StageEnum": "corett.cases.models.Stage",
        "AlternativeSolutionEnum": "corett.cases.models.AlternativeSolution",
        "ApprovalKindEnum": "corett.cases.models.ApprovalKind",
        "FlagKindEnum": "corett.cases.models.FlagKind",
        "SpokenLanguageEnum": "corett.cases.forms.LANGUAGES",
        "DocumentTypeEnum": "corett.cases.forms.DOCUMENT_KINDS",
        "ConsentPurposeEnum": "corett.cases.models.ConsentPurpose",
        "RelatedRoleEnum": "corett.cases.models.RelatedRole",
        # The other modules: names where two modules use the same field name.
        "StatisticsSexEnum": "corett.statistics.models.Sex",
        "ParticipantSexEnum": "corett.training.models.Sex",
        "SessionStateEnum": "corett.training.models.SessionState",
        "ActionStatusEnum": "corett.plans.models.ActionStatus",
        # Lead or support: the same choice set in meetings and plans.
        "InvolvementEnum": "corett.plans.models.Involvement",
        "PublicationKindEnum": "corett.website.models.PublicationKind",
        # An input that takes a subset of a choice set.
        "SharingPurposeEnum": "corett.cases.models.SHARING_PURPOSE_CHOICES",
        "CaseSexEnum": "corett.cases.models.Sex",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "redact": {"()": "corett.core.logging.RedactFilter"},
        "template_context": {"()": "corett.core.logging.TemplateContextFilter"},
    },
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact"]},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        # On the logger, not a handler: no handler may receive a page's context (identity).
        "django.template": {"filters": ["template_context"]},
    },
}
