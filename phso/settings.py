"""Settings for the digital ombudsman service, configured by environment variables.

DJANGO_ENV selects the mode: "local" (the default, the one-command run), "test", or
"production". Production refuses to start with an unsafe configuration.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DJANGO_ENV = env.str("DJANGO_ENV", default="local")
if DJANGO_ENV not in {"local", "test", "production"}:
    raise ImproperlyConfigured(f"DJANGO_ENV must be local, test or production, not {DJANGO_ENV!r}")
PRODUCTION = DJANGO_ENV == "production"

# A fixed key for local and test runs only; production must be given its own.
INSECURE_DEV_SECRET_KEY = "django-insecure-local-only-key-never-used-in-production"  # noqa: S105
SECRET_KEY = env.str("SECRET_KEY", default="" if PRODUCTION else INSECURE_DEV_SECRET_KEY)
DEBUG = env.bool("DEBUG", default=DJANGO_ENV == "local")
ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=[] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]", "testserver"]
)

if PRODUCTION:
    problems = []
    if (
        not SECRET_KEY
        or SECRET_KEY == INSECURE_DEV_SECRET_KEY
        or SECRET_KEY.startswith("django-insecure")
    ):
        problems.append("SECRET_KEY must be set to a long random value")
    elif len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
        problems.append(
            "SECRET_KEY must be at least 50 characters with at least 5 distinct characters"
        )
    if DEBUG:
        problems.append("DEBUG must be False")
    if not ALLOWED_HOSTS or "*" in ALLOWED_HOSTS:
        problems.append("ALLOWED_HOSTS must name the service's host names (not '*')")
    if not env.str("DATABASE_URL", default=""):
        problems.append("DATABASE_URL must be set")
    if problems:
        raise ImproperlyConfigured("Refusing to start in production: " + "; ".join(problems))

SITE_NAME = env.str("SITE_NAME", default="Ombudsman Complaints Service")
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "rules.apps.AutodiscoverRulesConfig",
    "csp",
    "rest_framework",
    "drf_spectacular",
    "phso",
    "accounts",
    "complaints",
    "casework",
    "foi",
    "insight",
    "portals",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    # Before everything that reads the database (sessions first): a 503 page while it is down.
    "phso.maintenance.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Outside the middleware below, so that their early answers to a signed-in person are no-store.
    "phso.middleware.NoStoreForAuthenticatedMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "phso.middleware.StaffSecondFactorMiddleware",
]

ROOT_URLCONF = "phso.urls"
WSGI_APPLICATION = "phso.wsgi.application"
ASGI_APPLICATION = "phso.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "phso.context_processors.service",
            ],
            "builtins": ["phso.templatetags.govuk"],
        },
    }
]
# Forms render as GOV.UK Design System markup (error summary, inline errors) everywhere.
FORM_RENDERER = "phso.forms.GovUKFormRenderer"

# Database: SQLite under var/ for the one-command local run; PostgreSQL everywhere else.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60 if PRODUCTION else 0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file (not :memory:) so that a Celery worker started by an integration test sees it.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis: unset means local memory cache and tasks run eagerly in-process.
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHE_URL = REDIS_URL
    if DJANGO_ENV == "test" and os.environ.get("PYTEST_XDIST_WORKER"):
        # The suite runs in parallel processes (pytest-xdist) that each empty the cache between
        # tests: each process gets a Redis database of its own (gw0 the next one up, and so on).
        parts = urlsplit(REDIS_URL)
        base = int(parts.path.strip("/") or 0)
        worker = int(os.environ["PYTEST_XDIST_WORKER"].removeprefix("gw"))
        CACHE_URL = urlunsplit(parts._replace(path=f"/{(base + 1 + worker) % 16}"))
    # phso.cache: a Redis outage is a cache miss, not a 500 (see there for the trade-off).
    CACHES = {
        "default": {
            "BACKEND": "phso.cache.ResilientRedisCache",
            "LOCATION": CACHE_URL,
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
            "KEY_PREFIX": "phso",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Celery (see phso/celery.py). JSON only; late acknowledgement so a killed worker loses nothing.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
# Tests run tasks in-process unless an integration test starts a real worker of its own.
CELERY_TASK_ALWAYS_EAGER = env.bool(
    "CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL or DJANGO_ENV == "test"
)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=300)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=360)
CELERY_RESULT_EXPIRES = 24 * 3600
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Redis visibility timeout must exceed the longest task, or an unacked task is redelivered early.
# It is also how soon a task held by a worker that died is given to another one.
# Sending a task must fail within seconds when Redis is down, never hold a request: callers enqueue
# on commit with robust=True, and requeue_stalled_work sends again what was lost.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
    "socket_timeout": 2,
    "socket_connect_timeout": 2,
}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 0.5,
}
CELERY_REDIS_SOCKET_TIMEOUT = 2
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 2
# Nothing waits for a task's return value (tasks write what they do to the database), and a sender
# that wanted one would subscribe to its result in Redis first: with Redis down that retries for
# about 20 s and then disables the result store until the process restarts.
CELERY_TASK_IGNORE_RESULT = True
# A task left undone (its message lost with the broker) is sent again by requeue_stalled_work
# once it is this old.
CASEWORK_STALLED_AFTER_SECONDS = env.int("CASEWORK_STALLED_AFTER_SECONDS", default=15 * 60)
CELERY_TIMEZONE = "Europe/London"
CELERY_BEAT_SCHEDULE = {
    "insight-refresh": {"task": "insight.tasks.insight_refresh", "schedule": 15 * 60},
    "search-documents-refresh": {
        "task": "insight.tasks.search_documents_refresh",
        "schedule": 30 * 60,
    },
    "trend-alerts-detect": {
        "task": "insight.tasks.trend_alerts_detect",
        "schedule": 7 * 24 * 3600,
    },
    "forecasts-train": {"task": "insight.tasks.forecasts_train", "schedule": 7 * 24 * 3600},
    "clear-expired-sessions": {
        "task": "phso.tasks.clear_expired_sessions",
        "schedule": 6 * 3600,
    },
}

# Open data API (insight/api): read-only and anonymous, so no session auth and no CSRF.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Ombudsman open data API",
    "DESCRIPTION": "Published decisions and counts of complaints. Counts under 5 are null.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
}

# Accounts
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.ScryptPasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if DJANGO_ENV == "test":
    # Test-only: a deliberately fast hasher so that the suite spends its time on behaviour.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "accounts:home"
ACCOUNT_LOGOUT_REDIRECT_URL = "home"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{SITE_NAME}] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if PRODUCTION else "http"
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
# Brute-force protection on the shared cache (Redis when configured): failed logins per IP and
# per account; the Django admin uses the same login page, so it is covered too.
ACCOUNT_RATE_LIMITS = {
    "login_failed": env.str("RATE_LIMIT_LOGIN_FAILED", default="10/m/ip,5/5m/key"),
    "login": "30/m/ip",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "1/3m/key",
    "change_password": "5/m/user",
    "reauthenticate": "10/m/user",
    "mfa_authenticate": "5/m/ip,5/m/key",
}
# phso/ratelimit.py's limits fail open like allauth's while the cache is unreachable (phso.cache):
# refusing every FOI request during a Redis outage would lose requests, which matters more.
RATELIMIT_FAIL_OPEN = True
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
# allauth's forms with GOV.UK labels, hints and error messages (behaviour unchanged).
ACCOUNT_FORMS = {
    name: f"accounts.allauth_forms.{cls}"
    for name, cls in {
        "login": "LoginForm",
        "signup": "SignupForm",
        "add_email": "AddEmailForm",
        "change_password": "ChangePasswordForm",
        "set_password": "SetPasswordForm",
        "reset_password": "ResetPasswordForm",
        "reset_password_from_key": "ResetPasswordKeyForm",
        "reauthenticate": "ReauthenticateForm",
    }.items()
}
MFA_FORMS = {
    "authenticate": "accounts.allauth_forms.MFAAuthenticateForm",
    "reauthenticate": "accounts.allauth_forms.MFAReauthenticateForm",
    "activate_totp": "accounts.allauth_forms.ActivateTOTPForm",
}
MFA_TOTP_ISSUER = SITE_NAME
OTP_TOTP_ISSUER = f"{SITE_NAME} (staff)"
# Sessions live in the database, never only in the cache: a Redis outage must not sign people out.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Email: console locally (the verification link is printed), SMTP when EMAIL_HOST is given.
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="no-reply@ombudsman.localhost")
SERVER_EMAIL = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.smtp.EmailBackend"
    if env.str("EMAIL_HOST", default="")
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=str(VAR_DIR / "mail"))

# Internationalisation
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# Static files and uploads
STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": env.path("MEDIA_ROOT", default=VAR_DIR / "media")},
    },
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage",
    },
}
MEDIA_ROOT = str(STORAGES["default"]["OPTIONS"]["location"])
FILE_UPLOAD_PERMISSIONS = 0o640
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000

# Security headers. CSP allows no inline script or style anywhere.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "phso.views.csrf_failure"
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=PRODUCTION)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=PRODUCTION)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_HSTS_PRELOAD = PRODUCTION
if PRODUCTION:
    # The service runs behind a TLS-terminating proxy that sets X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    CSRF_TRUSTED_ORIGINS = env.list(
        "CSRF_TRUSTED_ORIGINS", default=[f"https://{h}" for h in ALLOWED_HOSTS]
    )
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# Behind that proxy every request arrives from the proxy's address: per-IP rate limits (and the
# addresses in security log lines) must use the client's, from the entry the proxy appends to
# X-Forwarded-For. Entries before it are client-controlled and never trusted.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=1 if PRODUCTION else 0)

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# Evidence uploads (casework/evidence): screening and text-extraction limits, and the ClamAV
# daemon that scans every upload. CLAMAV_SOCKET (a Unix socket path) wins over host and port.
EVIDENCE_MAX_UPLOAD_BYTES = env.int("EVIDENCE_MAX_UPLOAD_BYTES", default=20 * 1024 * 1024)
EVIDENCE_MAX_IMAGE_PIXELS = env.int("EVIDENCE_MAX_IMAGE_PIXELS", default=50_000_000)
EVIDENCE_MAX_EXTRACTED_CHARS = env.int("EVIDENCE_MAX_EXTRACTED_CHARS", default=2_000_000)
CLAMAV_SOCKET = env.str("CLAMAV_SOCKET", default="")
CLAMAV_HOST = env.str("CLAMAV_HOST", default="127.0.0.1")
CLAMAV_PORT = env.int("CLAMAV_PORT", default=3310)
CLAMAV_TIMEOUT = env.float("CLAMAV_TIMEOUT", default=30.0)
# No more than clamd's own StreamMaxLength (25M by default), which drops longer streams unscanned.
CLAMAV_STREAM_MAX_LENGTH = env.int("CLAMAV_STREAM_MAX_LENGTH", default=25 * 1024 * 1024)
# pypdf warns about every oddity in every uploaded PDF; screening reports what matters itself.
LOGGING["loggers"]["pypdf"] = {"level": "ERROR"}
# WeasyPrint logs every step of every letter it renders at INFO.
LOGGING["loggers"]["weasyprint"] = {"level": "WARNING"}
# Documents (casework.models.Document): at most this many files in one upload, this many bytes
# of stored evidence per uploader (staff are not limited), and deleted documents' bytes and text
# are purged this many days after deletion (the purge-deleted-documents beat task).
EVIDENCE_MAX_FILES_PER_UPLOAD = env.int("EVIDENCE_MAX_FILES_PER_UPLOAD", default=10)
EVIDENCE_USER_QUOTA_BYTES = env.int("EVIDENCE_USER_QUOTA_BYTES", default=500 * 1024 * 1024)
EVIDENCE_RETENTION_DAYS = env.int("EVIDENCE_RETENTION_DAYS", default=30)
CELERY_BEAT_SCHEDULE["requeue-stalled-work"] = {
    "task": "casework.tasks.requeue_stalled_work",
    "schedule": 600,
}
# FOI/EIR/SAR deadline reminders to the assigned officer, and expired data downloads deleted.
CELERY_BEAT_SCHEDULE["foi-deadline-reminders"] = {
    "task": "foi.tasks.send_deadline_reminders",
    "schedule": 3600,
}
CELERY_BEAT_SCHEDULE["foi-purge-data-exports"] = {
    "task": "foi.tasks.purge_data_exports",
    "schedule": 3600,
}
CELERY_BEAT_SCHEDULE["evidence-request-reminders"] = {
    "task": "casework.tasks.send_evidence_request_reminders",
    "schedule": 3600,
}
CELERY_BEAT_SCHEDULE["purge-deleted-documents"] = {
    "task": "casework.tasks.purge_deleted_documents",
    "schedule": 3600,
}
CELERY_BEAT_SCHEDULE["purge-expired-complaint-drafts"] = {
    "task": "complaints.tasks.purge_expired_drafts",
    "schedule": 3600,
}
# Where evidence bytes live. Keys are made by the server (evidence/<yyyy>/<mm>/<uuid4 hex>), never
# from the uploader's file name, and files are only ever sent through permission-checked views.
# "filesystem" (the default) keeps them under MEDIA_ROOT (var/media). "s3" keeps them in an
# S3-compatible bucket through django-storages: set AWS_STORAGE_BUCKET_NAME, and AWS_S3_REGION_NAME
# or AWS_S3_ENDPOINT_URL as needed; credentials come from boto3's usual sources (AWS_ACCESS_KEY_ID
# and AWS_SECRET_ACCESS_KEY, or the instance's role), never from this file. Objects are private,
# never overwritten, and any URL made for one is signed and expires within a minute.
EVIDENCE_STORAGE = env.str("EVIDENCE_STORAGE", default="filesystem")
if EVIDENCE_STORAGE == "s3":
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("AWS_STORAGE_BUCKET_NAME"),
            "region_name": env.str("AWS_S3_REGION_NAME", default="eu-west-2"),
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
            "file_overwrite": False,
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": env.int("AWS_QUERYSTRING_EXPIRE", default=60),
        },
    }
elif EVIDENCE_STORAGE != "filesystem":
    raise ImproperlyConfigured(
        f"EVIDENCE_STORAGE must be filesystem or s3, not {EVIDENCE_STORAGE!r}"
    )

# Every URL under these prefixes is for ombudsman staff who have passed a TOTP check this session.
STAFF_URL_PREFIXES = ("/staff/", "/admin/")

# GOV.UK Notify (phso/notifications.py). Without an API key, email goes through EMAIL_BACKEND and
# SMS is not sent. Template ids: JSON {"new_message": "<uuid>", ...} in NOTIFY_TEMPLATES, and/or
# one NOTIFY_TEMPLATE_<NAME>=<uuid> variable per template (these win).
NOTIFY_API_KEY = env.str("NOTIFY_API_KEY", default="")
NOTIFY_BASE_URL = env.str("NOTIFY_BASE_URL", default="https://api.notifications.service.gov.uk")
NOTIFY_TEMPLATES = {
    **env.json("NOTIFY_TEMPLATES", default={}),
    **{
        name.removeprefix("NOTIFY_TEMPLATE_").lower(): value
        for name, value in env.ENVIRON.items()
        if name.startswith("NOTIFY_TEMPLATE_")
    },
}
NOTIFY_SMS_ENABLED = env.bool("NOTIFY_SMS_ENABLED", default=False)
NOTIFY_TIMEOUT = env.int("NOTIFY_TIMEOUT", default=10)

# NHS Personal Demographics Service (casework/integrations/pds.py), application-restricted access.
# Locally the client talks to the bundled fake (`python -m casework.integrations.fake_pds
# --port 8001`), which creates the private key at PDS_PRIVATE_KEY_PATH on its first start and
# accepts any API key and key id; production must name the real endpoints and credentials.
_FAKE_PDS_URL = "http://127.0.0.1:8001"
PDS_BASE_URL = env.str(
    "PDS_BASE_URL", default="" if PRODUCTION else f"{_FAKE_PDS_URL}/personal-demographics/FHIR/R4"
)
PDS_TOKEN_URL = env.str(
    "PDS_TOKEN_URL", default="" if PRODUCTION else f"{_FAKE_PDS_URL}/oauth2/token"
)
PDS_API_KEY = env.str("PDS_API_KEY", default="" if PRODUCTION else "local-fake-pds-api-key")
PDS_PRIVATE_KEY_PATH = env.str(
    "PDS_PRIVATE_KEY_PATH",
    default="" if PRODUCTION else str(VAR_DIR / "fake_pds" / "private_key.pem"),
)
PDS_KEY_ID = env.str("PDS_KEY_ID", default="" if PRODUCTION else "local-fake-pds-1")
PDS_TIMEOUT = env.float("PDS_TIMEOUT", default=10.0)
PDS_MAX_RETRIES = env.int("PDS_MAX_RETRIES", default=3)
# Seconds before the first Celery retry of a lookup PDS could not answer; doubles each time.
PDS_TASK_RETRY_BACKOFF = env.int("PDS_TASK_RETRY_BACKOFF", default=30)
# Requests a second this application may send to PDS, shared by every client in a process.
PDS_RATE_LIMIT_PER_SECOND = env.int("PDS_RATE_LIMIT_PER_SECOND", default=5)
# urllib3 logs each request's URL at DEBUG, and PDS URLs carry NHS numbers and search terms.
LOGGING["loggers"]["urllib3.connectionpool"] = {"level": "WARNING"}

# Precedent checks (casework/precedents.py): the snapshot index of decided cases, rebuilt nightly;
# cases decided since are read from the database at query time.
PRECEDENT_INDEX_DIR = env.path("PRECEDENT_INDEX_DIR", default=VAR_DIR / "precedents")
CELERY_BEAT_SCHEDULE["precedent-index-build"] = {
    "task": "casework.tasks.build_precedent_index",
    "schedule": crontab(hour=2, minute=30),
}
# Triage (casework/triage.py): retrained monthly on the cases closed so far; a new version is
# deployed only if it beats the majority-class baseline.
CELERY_BEAT_SCHEDULE["triage-train"] = {
    "task": "casework.tasks.train_triage_model",
    "schedule": crontab(day_of_month=1, hour=3, minute=15),
}
