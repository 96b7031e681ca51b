"""One env-driven settings module.

With no environment at all it runs on embedded defaults: SQLite, the in-memory
channel layer, Celery tasks run inline, files under ./var/media, mail to the
console. Production sets DEBUG=0, SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL,
REDIS_URL (and optionally CELERY_BROKER_URL, S3_* for object storage).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. With DEBUG off the platform refuses to start without a "
            "secret key: set the SECRET_KEY environment variable to a long random string "
            "(for example: python -c 'import secrets; print(secrets.token_urlsafe(50))')."
        )
    # Development only: a key generated once per checkout and kept under var/.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key_file = VAR_DIR / "dev-secret-key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
    SECRET_KEY = key_file.read_text().strip()

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
    "core",
    "accounts",
    "witness",
    "workdays",
    "bidding",
    "agencies",
    "experts",
    "evaluation",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "accounts.middleware.ActingOrganisationMiddleware",
]

if not DEBUG:
    # Production serves collected static files itself; in development runserver serves them from the apps.
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.acting",
            ],
        },
    }
]

# --- Database -------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    # Served by Daphne (ASGI), each request runs in its own thread: a persistent connection would stay open in
    # a finished thread until garbage collection (Django's docs: disable persistent connections under ASGI).
    # Put PgBouncer in front for connection reuse; DATABASE_CONN_MAX_AGE is for WSGI/worker processes.
    DATABASES = {"default": dj_database_url.parse(
        DATABASE_URL, conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "0")))}
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("SQLITE_PATH", str(VAR_DIR / "db.sqlite3")),
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
        }
    }
# Without reuse every concurrent request opens a connection of its own: at a deadline rush (bench/deadline_rush.py,
# 200 uploads at once) that passes PostgreSQL's max_connections (100 by default) and requests fail with "too many
# clients". DATABASE_POOL_MAX_SIZE turns on Django's psycopg pool: at most that many connections per server
# process (20 by default; 0 turns it off), requests beyond it wait up to DATABASE_POOL_TIMEOUT seconds for one.
# Keep (server processes × pool size) + workers below PostgreSQL's max_connections.
if int(os.environ.get("DATABASE_POOL_MAX_SIZE", "20") or 0) and DATABASES["default"]["ENGINE"].endswith("postgresql"):
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 1, "max_size": int(os.environ.get("DATABASE_POOL_MAX_SIZE", "20")),
        "timeout": float(os.environ.get("DATABASE_POOL_TIMEOUT", "60"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: channel layer, cache, Celery ---------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    # Redis pub/sub: a group send is one PUBLISH whatever the group's size; measured against the core (list)
    # layer with 500 hall clients it had the lower p99 and cost Daphne less CPU (bench/README.md). It may drop a
    # message while a process reconnects to Redis, which every live page here tolerates: each message is the
    # whole state and a reconnecting page reads it again. CHANNEL_LAYER_BACKEND chooses the core layer.
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": os.environ.get("CHANNEL_LAYER_BACKEND", "channels_redis.pubsub.RedisPubSubChannelLayer"),
            # No client-side read timeout (redis-py 8 made it 5 s): the core layer waits 5 s at a time in BZPOPMIN,
            # and the timeout tore down a consumer now and then, dropping its messages (channels_redis#422).
            "CONFIG": {"hosts": [{"address": REDIS_URL, "socket_timeout": None}],
                       "prefix": os.environ.get("CHANNELS_PREFIX", "ebid")},
        }
    }
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_PREFIX", "ebid"),
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Live pages showing a whole state (the opening hall, evaluation progress) get it rebuilt at most this often
# per page while changes keep coming, and always after the last one (witness/feed.py publish_latest).
LIVE_STATE_INTERVAL_MS = int(os.environ.get("LIVE_STATE_INTERVAL_MS", "150"))

CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", REDIS_URL or "memory://localhost/")
CELERY_RESULT_BACKEND = None
# Without a broker configured, tasks run inline in the calling process.
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", not (os.environ.get("CELERY_BROKER_URL") or REDIS_URL))
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_BEAT_SCHEDULE: dict = {}

# --- Files ------------------------------------------------------------------
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
if os.environ.get("S3_BUCKET"):
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["S3_BUCKET"],
            "endpoint_url": os.environ.get("S3_ENDPOINT_URL") or None,
            "access_key": os.environ.get("S3_ACCESS_KEY_ID"),
            "secret_key": os.environ.get("S3_SECRET_ACCESS_KEY"),
            "region_name": os.environ.get("S3_REGION") or None,
            "file_overwrite": False,
            "default_acl": None,
            "querystring_auth": True,
        },
    }
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
TENDER_DOCUMENT_MAX_BYTES = int(os.environ.get("TENDER_DOCUMENT_MAX_BYTES", 200 * 1024 * 1024))

# --- Auth -------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "noreply@ebid.localhost")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

# --- Language and time --------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

# --- API ----------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "EXCEPTION_HANDLER": "core.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "公共资源交易平台 API",
    "DESCRIPTION": "Electronic bidding and public-procurement platform: public notices and the agency's tender endpoints.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}

# --- Security (production) ----------------------------------------------------
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY", not DEBUG) else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_AGE = 60 * 60 * 8
# Password guessing on POST /api/auth/token/: attempts per client IP ("" switches it off).
API_TOKEN_THROTTLE_RATE = os.environ.get("API_TOKEN_THROTTLE_RATE", "10/minute") or None
# Client IP for the ledger: trust X-Forwarded-For only when a proxy is declared.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- Platform rules (RULES.md); each a setting with the cited default ---------
# Minimum bids for an opening to proceed, per tender method: 3 (招标投标法实施条例 art. 44: fewer than 3
# bidders and the opening must not proceed; 87号令: no evaluation with fewer than 3; RULES E9); a single-source
# purchase has one supplier by definition (政府采购法 art. 31). OPENING_MIN_BIDS overrides the default.
OPENING_MIN_BIDS = {
    "default": int(os.environ.get("OPENING_MIN_BIDS", "3")),
    "single_source": 1,
}
# Bidders confirm the readout or object within this many minutes; silence is acceptance (RULES N1 step 8,
# E10: the on-site template gives 5 minutes, the issue asks for 10 by default) [INFERRED default].
OPENING_CONFIRM_WINDOW_MINUTES = int(os.environ.get("OPENING_CONFIRM_WINDOW_MINUTES", "10"))
# Reminders to bidders who started an upload and to the tender's parties: hours before the deadline.
BID_DEADLINE_REMINDER_HOURS = tuple(int(h) for h in os.environ.get("BID_DEADLINE_REMINDER_HOURS", "24,2").split(","))
# Decryption window at opening, minutes: no published number, configurable per tender (RULES N4).
DECRYPTION_WINDOW_MINUTES_DEFAULT = int(os.environ.get("DECRYPTION_WINDOW_MINUTES_DEFAULT", "30"))
# Minimum time from publication (issue of the documents) to the bid deadline, per method,
# as (amount, "days" | "working_days"):
#   open / invited tendering: 20 days (招标投标法 art. 24; 政府采购法实施条例 art. 35 … 87号令 art. 16);
#   competitive negotiation and inquiry: 3 working days (74号令 art. 29, art. 45);
#   competitive consultation: 10 days (财库〔2014〕214号 art. 10);
#   single source and framework call-offs: set by the documents (0).
BID_PERIOD_MIN = {
    "open": (20, "days"),
    "invited": (20, "days"),
    "negotiation": (3, "working_days"),
    "consultation": (10, "days"),
    "inquiry": (3, "working_days"),
    "single_source": (0, "days"),
    "framework": (0, "days"),
}
# A clarification or amendment that may affect bids must reach every bidder at least this long
# before the deadline, or the deadline moves: 15 days (招标投标法 art. 23; 87号令 art. 27);
# 3 working days for negotiation and inquiry (74号令 art. 10), 5 days for consultation (214号 art. 10).
CLARIFICATION_MIN_BEFORE_DEADLINE = {
    "default": (int(os.environ.get("CLARIFICATION_MIN_DAYS_BEFORE_DEADLINE", "15")), "days"),
    "negotiation": (3, "working_days"),
    "inquiry": (3, "working_days"),
    "consultation": (5, "days"),
}
# Decryption window bounds a tender may choose (minutes).
DECRYPTION_WINDOW_MINUTES_RANGE = (10, 240)
# Filing review: the centre verifies within 3 working days (10号令; RULES E14).
FILING_REVIEW_WORKING_DAYS = int(os.environ.get("FILING_REVIEW_WORKING_DAYS", "3"))
# Region this trading centre serves (used as the default for new tenders and the demo).
PLATFORM_REGION = os.environ.get("PLATFORM_REGION", "浙江省/湖州市/安吉县")
PLATFORM_NAME = os.environ.get("PLATFORM_NAME", "公共资源交易平台")


# --- Intermediary directory and "三色令" cards (agencies) ---------------------------------
# [INFERRED] RULES T0: no county 三色令 text was found; every number below is a default the centre may change.
# Due process, RULES T1 (provincial analogue): the agency states its defence within 5 working days, the
# regulator decides within 10 working days, silence counts as acceptance.
AGENCY_RESPONSE_WORKING_DAYS = int(os.environ.get("AGENCY_RESPONSE_WORKING_DAYS", "5"))
AGENCY_DECISION_WORKING_DAYS = int(os.environ.get("AGENCY_DECISION_WORKING_DAYS", "10"))
# Appeal window after a card is issued, working days: [INFERRED] RULES T4 (appeal workflow on T1 timings).
AGENCY_APPEAL_WORKING_DAYS = int(os.environ.get("AGENCY_APPEAL_WORKING_DAYS", "15"))
# Card validity in months: [INFERRED] RULES T1 (deductions public for 3 months to 1 year) and T4.
AGENCY_CARD_VALIDITY_MONTHS = {"blue": 3, "yellow": 6, "red": 12}
# Escalation: a second blue within this many months becomes yellow, a second yellow becomes red. [INFERRED] T4.
AGENCY_ESCALATION_WINDOW_MONTHS = int(os.environ.get("AGENCY_ESCALATION_WINDOW_MONTHS", "12"))
# Score out of 100, deductions effective the day after the decision, recalculated daily: RULES T1, T3.
AGENCY_SCORE_FULL = 100
# Score bands for the statistics (lowest score of each band, highest band first): [INFERRED] RULES T3/T4.
AGENCY_SCORE_BANDS = [("excellent", 95), ("good", 85), ("fair", 70), ("poor", 0)]
# Violation catalogue: default card colour and score deduction per type. [INFERRED] RULES T4.
AGENCY_VIOLATION_TYPES = {
    "filing_errors": {"colour": "blue", "deduction": 2},  # errors in tender documents found at filing review
    "archive_late": {"colour": "blue", "deduction": 2},  # missing or late archive hand-over
    "procedure_breach": {"colour": "yellow", "deduction": 5},  # procedural breach at opening or evaluation
    "complaint_upheld": {"colour": "yellow", "deduction": 5},  # a complaint upheld against it
    "false_materials": {"colour": "red", "deduction": 10},  # false materials
    "collusion": {"colour": "red", "deduction": 20},  # involvement in collusion (串通)
}
# Daily recalculation of scores and the silence rule, run hourly (idempotent, so the day is done soon after
# midnight); jobs only advance what is already due, pages compute the same on read (DESIGN §4.2).
CELERY_BEAT_SCHEDULE["agencies-daily"] = {"task": "agencies.tasks.agencies_daily", "schedule": 60 * 60}

# --- Expert pool and draws (experts/) ----------------------------------------
# Key for the experts' national ID numbers (AES-GCM) and their blind index (HMAC): 32 bytes, base64 or hex.
EXPERT_ID_KEY = os.environ.get("EXPERT_ID_KEY", "")
if not EXPERT_ID_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "EXPERT_ID_KEY is not set. With DEBUG off the platform refuses to start without the key that "
            "encrypts experts' national ID numbers: set EXPERT_ID_KEY to 32 random bytes in base64 (for example: "
            "python -c 'import secrets, base64; print(base64.b64encode(secrets.token_bytes(32)).decode())'). "
            "Keep it safe: without it the stored ID numbers cannot be read.")
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    _expert_key_file = VAR_DIR / "dev-expert-id-key"
    if not _expert_key_file.exists():
        import base64 as _b64
        _expert_key_file.write_text(_b64.b64encode(secrets.token_bytes(32)).decode())
    EXPERT_ID_KEY = _expert_key_file.read_text().strip()
# Entry rules: at least 8 years in the field and a senior title (国家计委29号令 (2003), RULES X2; kept by 26号令).
EXPERT_MIN_YEARS_IN_FIELD = int(os.environ.get("EXPERT_MIN_YEARS_IN_FIELD", "8"))
EXPERT_REQUIRE_SENIOR_TITLE = env_bool("EXPERT_REQUIRE_SENIOR_TITLE", True)
# Age limit: 26号令 sets one but its number was not retrieved (RULES X1) [INFERRED: 70].
EXPERT_MAX_AGE = int(os.environ.get("EXPERT_MAX_AGE", "70"))
# Committee: at least 5 and odd; at least 7 in government procurement with a budget of 10 million 元 or
# more; technical and economic experts at least two thirds (招标投标法 art. 37; 87号令; RULES X3).
DRAW_MIN_COMMITTEE = int(os.environ.get("DRAW_MIN_COMMITTEE", "5"))
DRAW_MIN_COMMITTEE_LARGE_GP = int(os.environ.get("DRAW_MIN_COMMITTEE_LARGE_GP", "7"))
DRAW_LARGE_GP_BUDGET = int(os.environ.get("DRAW_LARGE_GP_BUDGET", "10000000"))
DRAW_EXPERT_SHARE = (2, 3)
# The draw may start no earlier than 2 working days before evaluation (财库〔2016〕198号; RULES X4).
DRAW_EARLIEST_WORKING_DAYS = int(os.environ.get("DRAW_EARLIEST_WORKING_DAYS", "2"))
# Recusal (回避, RULES X6): penalties within 3 years; relationships ended less than 3 years ago still count
# (GP "within the last 3 years", 198号文).
DRAW_PENALTY_YEARS = int(os.environ.get("DRAW_PENALTY_YEARS", "3"))
DRAW_RELATIONSHIP_YEARS = int(os.environ.get("DRAW_RELATIONSHIP_YEARS", "3"))
# Spread the work: an expert already selected this many times in the window is skipped [INFERRED].
DRAW_MAX_SELECTIONS = int(os.environ.get("DRAW_MAX_SELECTIONS", "4"))
DRAW_SELECTION_WINDOW_DAYS = int(os.environ.get("DRAW_SELECTION_WINDOW_DAYS", "30"))
# Experts from the project's own county are not drawn (local practice for off-site evaluation, RULES X11)
# [INFERRED default: on].
DRAW_EXCLUDE_OWN_COUNTY = env_bool("DRAW_EXCLUDE_OWN_COUNTY", True)
# Hours a drawn expert has to confirm or decline before the next in the ranking is called [INFERRED].
EXPERT_CONFIRM_HOURS = int(os.environ.get("EXPERT_CONFIRM_HOURS", "2"))
# Ratings (Zhejiang, RULES X10): the organiser rates within 2 working days, out of 100; at least 10
# ratings in 2 years all >= 90 makes a senior expert; an average below 60 flags removal review.
EXPERT_RATING_WORKING_DAYS = int(os.environ.get("EXPERT_RATING_WORKING_DAYS", "2"))
EXPERT_SENIOR_MIN_RATINGS = 10
EXPERT_SENIOR_MIN_SCORE = 90
EXPERT_RATING_WINDOW_YEARS = 2
EXPERT_REMOVAL_AVERAGE = 60
CELERY_BEAT_SCHEDULE["experts-invitation-timeouts"] = {"task": "experts.tasks.invitations_expire", "schedule": 300.0}

# --- Sealed bids: submission (bidding/services/bids.py) ----------------------
# The platform's receipt signing key (docs/sealing.md §8): an Ed25519 (or ECDSA P-256) private key in PKCS#8
# PEM. Receipts it signs are what a bidder shows to prove what it submitted and when (DESIGN §4 invariant 4).
PLATFORM_SIGNING_KEY = os.environ.get("PLATFORM_SIGNING_KEY", "").replace("\\n", "\n").strip()
if not PLATFORM_SIGNING_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "PLATFORM_SIGNING_KEY is not set. With DEBUG off the platform refuses to start without the key that "
            "signs bid receipts: set PLATFORM_SIGNING_KEY to an Ed25519 private key in PEM (for example: "
            "openssl genpkey -algorithm ed25519), and publish nothing but its public half.")
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    _signing_key_file = VAR_DIR / "dev-platform-signing-key.pem"
    if not _signing_key_file.exists():
        from cryptography.hazmat.primitives import serialization as _ser
        from cryptography.hazmat.primitives.asymmetric import ed25519 as _ed

        _signing_key_file.write_bytes(_ed.Ed25519PrivateKey.generate().private_bytes(
            _ser.Encoding.PEM, _ser.PrivateFormat.PKCS8, _ser.NoEncryption()))
        _signing_key_file.chmod(0o600)
    PLATFORM_SIGNING_KEY = _signing_key_file.read_text().strip()
# Largest sealed envelope accepted: no rule sets one [INFERRED]; 4 GiB lets a 2 GiB file and its overhead through.
BID_ENVELOPE_MAX_BYTES = int(os.environ.get("BID_ENVELOPE_MAX_BYTES", 4 * 1024**3))
# Largest single chunk of a resumable upload (one request body) [INFERRED].
BID_UPLOAD_CHUNK_MAX_BYTES = int(os.environ.get("BID_UPLOAD_CHUNK_MAX_BYTES", 32 * 1024**2))
# An unfinished upload may be resumed for this long [INFERRED]; past the deadline it is never a bid anyway.
BID_UPLOAD_EXPIRY_HOURS = int(os.environ.get("BID_UPLOAD_EXPIRY_HOURS", "48"))
# Local disk where chunks collect until the upload is finished and stored through the storage API.
BID_UPLOAD_DIR = Path(os.environ.get("BID_UPLOAD_DIR", VAR_DIR / "bid-uploads"))
CELERY_BEAT_SCHEDULE["bidding-bid-uploads-clean"] = {"task": "bidding.tasks.bid_uploads_clean", "schedule": 3600.0}
# Openings advance at the deadline and at the end of each window. The beat task only catches up with what
# is already due: every visit to the hall and every act in it advances the same way (DESIGN §4.2).
CELERY_BEAT_SCHEDULE["bidding-openings-advance"] = {"task": "bidding.tasks.openings_advance", "schedule": 15.0}
CELERY_BEAT_SCHEDULE["bidding-deadline-reminders"] = {"task": "bidding.tasks.deadline_reminders", "schedule": 300.0}
# Key-encryption key for released data keys (DESIGN §5: kept encrypted under a platform key so evaluators can
# read the bid later): 32 bytes, base64 or hex. It protects opened bids only; sealed bids need the bidder's key.
BID_KEY_ENCRYPTION_KEY = os.environ.get("BID_KEY_ENCRYPTION_KEY", "")
if not BID_KEY_ENCRYPTION_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "BID_KEY_ENCRYPTION_KEY is not set. With DEBUG off the platform refuses to start without the key that "
            "protects the data keys bidders release at opening: set it to 32 random bytes in base64 (for example: "
            "python -c 'import secrets, base64; print(base64.b64encode(secrets.token_bytes(32)).decode())').")
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    _kek_file = VAR_DIR / "dev-bid-key-encryption-key"
    if not _kek_file.exists():
        import base64 as _b64
        _kek_file.write_text(_b64.b64encode(secrets.token_bytes(32)).decode())
        _kek_file.chmod(0o600)
    BID_KEY_ENCRYPTION_KEY = _kek_file.read_text().strip()

# --- PDF signatures (core/pdfsign.py, docs/pdf-signing.md) ------------------------------
# The platform's certificate authority: it issues the certificate the platform signs its records with and one
# per committee member for the evaluation report. No rule mandates a particular CA; the records must be
# signed (20号令; RULES E8, X8). PEM strings; "\n" escapes are accepted, as env files often carry them.
# Development: left empty, and core.pdfsign makes a CA once under VAR_DIR/pki.
PLATFORM_CA_KEY = os.environ.get("PLATFORM_CA_KEY", "").replace("\\n", "\n").strip()
PLATFORM_CA_CERT = os.environ.get("PLATFORM_CA_CERT", "").replace("\\n", "\n").strip()
if bool(PLATFORM_CA_KEY) != bool(PLATFORM_CA_CERT):
    raise ImproperlyConfigured("Set both PLATFORM_CA_KEY and PLATFORM_CA_CERT, or neither.")
if not PLATFORM_CA_KEY and not DEBUG:
    raise ImproperlyConfigured(
        "PLATFORM_CA_KEY and PLATFORM_CA_CERT are not set. With DEBUG off the platform refuses to start without "
        "the certificate authority its PDF signatures chain to: create one with "
        "'DEBUG=1 python manage.py pki_init /a/private/dir', which writes the CA key and certificate there and "
        "prints the two lines to add to the environment. Keep the key private; publish the certificate so "
        "readers can trust the platform's signatures.")
# The platform's own signing key and certificate (issued by the CA). Empty: derived from the CA key.
PLATFORM_PDF_KEY = os.environ.get("PLATFORM_PDF_KEY", "").replace("\\n", "\n").strip()
PLATFORM_PDF_CERT = os.environ.get("PLATFORM_PDF_CERT", "").replace("\\n", "\n").strip()
if bool(PLATFORM_PDF_KEY) != bool(PLATFORM_PDF_CERT):
    raise ImproperlyConfigured("Set both PLATFORM_PDF_KEY and PLATFORM_PDF_CERT, or neither.")

# --- Evaluation, report and award (evaluation/) -------------------------------
# A tenderer's representative may sit on the committee (招标投标法 art. 37: the committee is the tenderer's
# representative plus experts, experts at least two thirds); at most one here, never more than a third.
# Government procurement: 87号令 art. 45 lets the purchaser send a representative too.
EVALUATION_TENDERER_REP_ALLOWED = env_bool("EVALUATION_TENDERER_REP_ALLOWED", True)
# A clarification question gives the bidder at least this long to answer [INFERRED].
EVALUATION_QUESTION_MIN_MINUTES = int(os.environ.get("EVALUATION_QUESTION_MIN_MINUTES", "30"))
# Abnormally low price review (RULES M8, 财库〔2026〕2号 as quoted): below 50 % of the mean of compliant bids,
# 55 % of the second-lowest, or 45 % of the ceiling price.
ABNORMAL_LOW_OF_MEAN = os.environ.get("ABNORMAL_LOW_OF_MEAN", "0.50")
ABNORMAL_LOW_OF_SECOND = os.environ.get("ABNORMAL_LOW_OF_SECOND", "0.55")
ABNORMAL_LOW_OF_CEILING = os.environ.get("ABNORMAL_LOW_OF_CEILING", "0.45")
# An expert's total for a bid deviating from the other members' mean by more than this share of the points
# that expert could give is flagged for the committee (no published number [INFERRED]).
SCORE_DEVIATION_THRESHOLD = os.environ.get("SCORE_DEVIATION_THRESHOLD", "0.20")
# At most this many ranked candidates are recommended (招标投标法实施条例 art. 53; RULES M6).
EVALUATION_MAX_CANDIDATES = 3
# Publicity of the candidates: at least 3 days (实施条例 art. 54; RULES M6); objections answered within 3 days.
PUBLICITY_DAYS = int(os.environ.get("PUBLICITY_DAYS", "3"))
PUBLICITY_ANSWER_DAYS = int(os.environ.get("PUBLICITY_ANSWER_DAYS", "3"))
# One-time codes that confirm a member's remote signature [INFERRED].
SIGNING_CODE_MINUTES = int(os.environ.get("SIGNING_CODE_MINUTES", "10"))
# Government procurement (RULES M7; 政府采购货物和服务招标投标管理办法 (87号令) art. 68-69): the purchaser
# chooses the winner within 5 working days of receiving the report, otherwise the first-ranked candidate is
# deemed chosen; the result is announced for 1 working day.
GP_AWARD_DECISION_WORKING_DAYS = int(os.environ.get("GP_AWARD_DECISION_WORKING_DAYS", "5"))
GP_RESULT_NOTICE_WORKING_DAYS = int(os.environ.get("GP_RESULT_NOTICE_WORKING_DAYS", "1"))
CELERY_BEAT_SCHEDULE["evaluation-gp-awards-advance"] = {"task": "evaluation.tasks.gp_awards_advance",
                                                        "schedule": 300.0}

# A member who has neither signed the evaluation report nor refused this long after it was generated may be
# recorded by the leader (or the host) as not signing: a refusal without reasons, deemed agreement (RULES X8,
# 招标投标法实施条例 art. 53). Not a regulation's number: the time a remote member is given to act.
EVALUATION_SIGNING_WAIT_MINUTES = int(os.environ.get("EVALUATION_SIGNING_WAIT_MINUTES", "60"))
SIGNING_CODE_MAX_ATTEMPTS = 5
