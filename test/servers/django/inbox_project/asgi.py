"""ASGI application of the inbox test project, served by daphne. Run from test/servers/django::

    INBOX_REDIS_URL=redis://127.0.0.1:6390/0 /usr/bin/python3 -m daphne -b 127.0.0.1 -p 8001 inbox_project.asgi:application

(after ``/usr/bin/python3 manage.py migrate``; settings in inbox_project/settings.py). HTTP: Django's
views (inbox_project/urls.py). WebSocket ``/ws/inbox/``: the consumer behind Channels'
``AuthMiddlewareStack`` (the session cookie) and ``QueryTokenAuthMiddleware`` (``?token=``).
"""
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "inbox_project.settings")

from django.core.asgi import get_asgi_application  # noqa: E402

# Before anything importing models: it sets Django up.
django_http = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.urls import path  # noqa: E402

from inbox.auth import QueryTokenAuthMiddleware  # noqa: E402
from inbox.consumer import InboxConsumer  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_http,
        "websocket": AuthMiddlewareStack(QueryTokenAuthMiddleware(URLRouter([path("ws/inbox/", InboxConsumer.as_asgi())]))),
    }
)
