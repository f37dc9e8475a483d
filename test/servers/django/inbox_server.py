"""ASGI application of the Django Channels inbox test server: no Django project, settings in code.

Environment: ``INBOX_REDIS_URL`` (default ``redis://127.0.0.1:6379/0``), ``INBOX_JWT_SECRET``
(default the demo's dev secret). Run from this directory::

    INBOX_REDIS_URL=redis://127.0.0.1:6390/0 /usr/bin/python3 -m daphne -b 127.0.0.1 -p 8001 inbox_server:application

Routes: ``ws /ws/inbox/?token=<JWT>`` (the consumer), ``GET /health`` (200 once Redis answers,
503 otherwise), ``GET /stats`` (``{"inbox": {sockets, conversations, users}}`` of this process).
"""
import json
import os
import sys

import django
from django.conf import settings

REDIS_URL = os.environ.get("INBOX_REDIS_URL", "redis://127.0.0.1:6379/0")

settings.configure(
    DEBUG=False,
    ALLOWED_HOSTS=["127.0.0.1", "localhost"],
    INSTALLED_APPS=[],
    CHANNEL_LAYERS={
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            # capacity: messages a socket's channel may hold before Redis drops new ones (default 100);
            # raised so a test burst is not silently cut.
            "CONFIG": {"hosts": [REDIS_URL], "capacity": 1000},
        }
    },
)
django.setup()

# Imported after setup(): Channels reads the settings at import time.
from channels.layers import get_channel_layer  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.urls import path  # noqa: E402

from inbox_consumer import InboxConsumer, live_stats  # noqa: E402


async def _redis_answers() -> bool:
    try:
        # A send to a group nobody joined: touches Redis and delivers nothing.
        await get_channel_layer().group_send("health", {"type": "health.check"})
        return True
    except Exception as error:  # any failure to reach Redis means "not ready"
        # Logged so a launcher's "not ready" error shows why in the log tail.
        print(f"health: Redis unreachable at {REDIS_URL}: {error!r}", file=sys.stderr, flush=True)
        return False


async def http_app(scope: dict, receive, send) -> None:
    """``/health`` and ``/stats``; anything else is 404."""
    if scope["path"] == "/health":
        is_ready = await _redis_answers()
        status, body = (200, {"ok": True}) if is_ready else (503, {"ok": False, "error": "Redis unreachable"})
    elif scope["path"] == "/stats":
        status, body = 200, {"inbox": live_stats()}
    else:
        status, body = 404, {"error": "Not found"}
    headers = [(b"content-type", b"application/json"), (b"access-control-allow-origin", b"*")]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": json.dumps(body).encode("utf-8")})


application = ProtocolTypeRouter(
    {
        "http": http_app,
        "websocket": URLRouter([path("ws/inbox/", InboxConsumer.as_asgi())]),
    }
)
