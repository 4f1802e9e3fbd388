"""One settings module for every environment, driven by environment variables.

With no environment at all the site runs for local use: the embedded PostgreSQL
that `bin/run` starts (its socket in var/pg), a Celery transport that needs no
server, emails on the console, DEBUG on. Production is the same code with DEBUG
off and real services named by URL.
"""

from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from kombu import Queue

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"  # local state of command 1 (PostgreSQL data, broker folder, mail); ignored by git

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")  # optional; real environment wins

DEBUG = env.bool("DEBUG", default=True)

_DEV_SECRET_KEY = "django-insecure-local-development-only-key-do-not-deploy"
SECRET_KEY = env.str("SECRET_KEY", default=_DEV_SECRET_KEY)
if not DEBUG and (SECRET_KEY == _DEV_SECRET_KEY or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured(
        "Production mode (DEBUG=false) needs a real SECRET_KEY: set the SECRET_KEY "
        "environment variable to a random string of at least 50 characters, e.g. "
        "python -c 'import secrets; print(secrets.token_urlsafe(50))'."
    )

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[SITE_URL])

INSTALLED_APPS = [
    "config.admin_site.ManagersAdminConfig",  # django.contrib.admin with a lazy app list
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "allauth",
    "allauth.account",
    "crispy_forms",
    "crispy_bootstrap5",
    "bootstrap",  # django-bootstrap-static: Bootstrap's files, served by us (no CDN)
    "csp",
    "accounts",
    "mentorship",
    "credits",
    "scheduling",
    "conversations",  # threads between students and mentors (imports scheduling, never portal)
    "portal",  # the one layer over every domain: homes, cross-app pages, the cockpit
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",  # the browser's language or the switcher's cookie
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.UserTimezoneMiddleware",
    "accounts.middleware.UserLanguageMiddleware",  # a signed-in person's own language wins
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "csp.middleware.CSPMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "accounts.context_processors.site",
                "conversations.context_processors.inbox",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------
# PostgreSQL only. Unset, it is the embedded server of command 1 (config/embedded_db.py,
# started by bin/run), listening on a Unix socket in var/pg.
VAR_DIR.mkdir(exist_ok=True)
DATABASES = {"default": env.db("DATABASE_URL", default=f"postgres://postgres@/mentorship?host={VAR_DIR / 'pg'}")}
if not DATABASES["default"]["HOST"] and "host" in DATABASES["default"].get("OPTIONS", {}):
    # A socket URL (postgres://user@/name?host=/abs/dir) arrives as an option; Django reads it as HOST.
    DATABASES["default"]["HOST"] = DATABASES["default"]["OPTIONS"].pop("host")
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Persistent connections in production: opening a PostgreSQL connection per
# request costs more than most pages (README, "Running at scale": how to size
# max_connections, pgbouncer). Health checks drop a connection the server closed.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0 if DEBUG else 600)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("CONN_HEALTH_CHECKS", default=True)
# The pages' fixed reads run as server-side prepared statements, planned once per connection (config/prepared.py).
# Turn off behind pgbouncer in transaction mode, where a connection's statements don't follow the next transaction.
DATABASE_PREPARED_STATEMENTS = env.bool("DATABASE_PREPARED_STATEMENTS", default=True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: Celery broker and the cache ---------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "config.cache.FailOpenRedisCache",
            "LOCATION": env.str("CACHE_URL", default=REDIS_URL),
            "KEY_PREFIX": "mentorship",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    # One process (runserver) in the embedded default, so a local cache still
    # makes allauth's rate limits work there.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Celery -------------------------------------------------------------------
CELERY_TIMEZONE = "UTC"
CELERY_ENABLE_UTC = True
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True  # a task interrupted by a dying worker is redelivered
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
if REDIS_URL:
    CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
    # Longer than any countdown we use, so Redis never redelivers a task that a
    # live worker still holds.
    # Ten priority levels (0 served first): urgent mail overtakes a backlog.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 2 * 60 * 60, "priority_steps": list(range(10)),
                                       "queue_order_strategy": "priority"}
else:
    # kombu's filesystem transport carries tasks between separate worker, beat
    # and web processes through one folder: no server needed.
    _broker_dir = VAR_DIR / "celery" / "broker"
    (_broker_dir / "processed").mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir),
        "data_folder_out": str(_broker_dir),
        "processed_folder": str(_broker_dir / "processed"),
        # Exchange tables; kombu's default is a control/ folder in the working directory.
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "store_processed": False,
        "polling_interval": 0.2,  # the default (1 s) makes local emails feel slow
    }
# Mail has its own queue (and its own workers) in every mode, so a slow mail
# server or a backlog of thousands of emails never delays the sweeps (reminders,
# resets, pauses) on the default queue. A worker started without -Q consumes both.
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_ROUTES = {"accounts.tasks.deliver_email": {"queue": "mail"}, "accounts.tasks.deliver_emails": {"queue": "mail"}}
CELERY_TASK_CREATE_MISSING_QUEUES = True
CELERY_TASK_QUEUES = (Queue("celery", routing_key="celery"), Queue("mail", routing_key="mail"))
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Beat only wakes the sweeps; what is due is decided by timestamps in the
# database. Apps add their entries here.
CELERY_BEAT_SCHEDULE: dict = {
    "credits-reset-sweep": {"task": "credits.tasks.credits_reset_sweep", "schedule": 3600.0},
    "credits-reset-emails": {"task": "credits.tasks.credits_reset_emails_sweep", "schedule": 900.0},
    "outbox-sweep": {"task": "accounts.tasks.outbox_sweep", "schedule": 60.0},
    "session-reminders-sweep": {"task": "scheduling.tasks.reminders_sweep", "schedule": 60.0},
    # Local midnights fall on quarter hours somewhere (e.g. Asia/Kathmandu).
    "pauses-sweep": {"task": "scheduling.tasks.pauses_sweep", "schedule": 900.0},
    # Unread messages: emailed 10 minutes after arrival, at most hourly per thread.
    "conversations-unread-sweep": {"task": "conversations.tasks.unread_sweep", "schedule": 60.0},
    # The dashboard's "students at risk over time": today's count, refreshed hourly.
    "risk-snapshot": {"task": "scheduling.tasks.risk_snapshot", "schedule": 3600.0},
    "group-waitlist-sweep": {"task": "scheduling.tasks.group_waitlist_sweep", "schedule": 300.0},
}
# Publishing must not hang a request when the broker is down: the outbox row
# is already committed and the sweep sends it once the broker is back.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
CELERY_BROKER_CONNECTION_TIMEOUT = 2

# --- Email --------------------------------------------------------------------
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
if EMAIL_BACKEND == "django.core.mail.backends.console.EmailBackend":  # noqa: F821 (set just above)
    EMAIL_BACKEND = "config.logs.LoggingEmailBackend"  # one readable INFO record per email
if env.str("EMAIL_BACKEND", default=""):
    EMAIL_BACKEND = env.str("EMAIL_BACKEND")
EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=str(VAR_DIR / "mail"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Mentorship <noreply@mentorship.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Auth and allauth ---------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupForm"
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = False
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PRESERVE_USERNAME_CASING = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Mentorship] "
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"  # allauth's emails go through the outbox
ACCOUNT_RATE_LIMITS = {
    # allauth's documented defaults, stated so the product's limits are visible
    # here. Failed logins: 5 per account per 5 minutes, and 10 per minute per
    # address — so one person's mistakes behind a shared office address lock
    # their own account, not everyone's (a successful login costs nothing).
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "change_password": "5/m/user",
}
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if SITE_URL.startswith("http://") else "https"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- I18N and time ------------------------------------------------------------
# English and Spanish. A signed-in person sees pages (and gets emails) in their
# own `User.language`; visitors get the browser's language, or the one they
# picked in the footer switcher (a cookie).
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# English keeps the day-month order and 24-hour clock the site always had
# (Django's "en" is American); Spanish uses Django's own formats.
FORMAT_MODULE_PATH = ["config.formats"]
LANGUAGE_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static files -------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")

# --- Security -----------------------------------------------------------------
# The same rules in every environment; only what needs HTTPS depends on DEBUG.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers probe over plain HTTP
if env.bool("BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The rate limits count per client address: behind a proxy that address is the
# last X-Forwarded-For hop the proxy added, not the proxy's own.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=1 if env.bool("BEHIND_TLS_PROXY", default=False) else 0)

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# --- Product settings ---------------------------------------------------------
DEMO_PASSWORD = "mentor-demo-2026"
# Booking: how soon, how far ahead, how much rest between sessions, slot step.
BOOKING_MIN_NOTICE_MINUTES = env.int("BOOKING_MIN_NOTICE_MINUTES", default=120)
BOOKING_HORIZON_DAYS = env.int("BOOKING_HORIZON_DAYS", default=28)
BOOKING_BUFFER_MINUTES = env.int("BOOKING_BUFFER_MINUTES", default=0)
BOOKING_SLOT_STEP_MINUTES = 30

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"expected_client_errors": {"()": "config.logs.ExpectedClientErrors"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["expected_client_errors"]}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # Django's own console handler would print every django.request record a second time.
    "loggers": {"django": {"handlers": [], "level": "INFO", "propagate": True}},
}
