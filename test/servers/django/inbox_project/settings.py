"""Settings of the inbox test project, all from the environment so each run is its own deployment.

- ``INBOX_DATA_DIR``: directory of the SQLite database (default: this directory). Every daphne of one
  deployment uses the same one, as an app's servers share their database.
- ``INBOX_SECRET_KEY``: Django's SECRET_KEY, which also signs sessions and SimpleJWT tokens; the
  launcher makes a new one per deployment.
- ``INBOX_REDIS_URL``: the channel layer's Redis (default ``redis://127.0.0.1:6379/0``).
- ``INBOX_ACCESS_TOKEN_S``: SimpleJWT access-token lifetime in seconds (default 300, SimpleJWT's 5 minutes).
- ``INBOX_JWT_SECRET``: HS256 secret of tokens from an outside issuer (Supabase-style ``sub``), see
  ``inbox.tokens``; default the demo's dev secret.
"""
import os
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("INBOX_DATA_DIR") or BASE_DIR)

SECRET_KEY = os.environ.get("INBOX_SECRET_KEY") or "inbox-test-server-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "rest_framework",
    "channels",
    "inbox",
]
MIDDLEWARE = [
    "inbox.cors.LoopbackCorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
ROOT_URLCONF = "inbox_project.urls"
ASGI_APPLICATION = "inbox_project.asgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
USE_TZ = True

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(DATA_DIR / "inbox.sqlite3"),
        # Two daphne processes write to one file: wait for the other's lock instead of failing.
        "OPTIONS": {"timeout": 20},
    }
}

# A test server: password hashing at PBKDF2's real cost would only slow the suites down.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

REDIS_URL = os.environ.get("INBOX_REDIS_URL", "redis://127.0.0.1:6379/0")
CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        # capacity: messages a socket's channel may hold before Redis drops new ones (default 100);
        # raised so a test burst is not silently cut.
        "CONFIG": {"hosts": [REDIS_URL], "capacity": 1000},
    }
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework_simplejwt.authentication.JWTAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
}
SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(seconds=int(os.environ.get("INBOX_ACCESS_TOKEN_S") or 300)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=1),
}

# Session cookie readable by the test pages' origin only; SameSite=Lax is Django's default.
SESSION_COOKIE_NAME = "sessionid"
