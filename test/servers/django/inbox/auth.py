"""Who a WebSocket is: the session cookie (Channels' ``AuthMiddlewareStack``) or ``?token=``.

``QueryTokenAuthMiddleware`` sits inside ``AuthMiddlewareStack``: a ``?token=`` wins over the cookie
and must be valid, a SimpleJWT access token of this server (``user_id`` of a Django user, checked by
SimpleJWT's own ``JWTAuthentication``) or a token of the outside issuer (``inbox.tokens``). It puts
``scope["identity"]``: an ``Identity``, or None when nobody is signed in or the token is refused.
"""
import os
from typing import Optional
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.middleware import BaseMiddleware
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError

from inbox.tokens import DEV_JWT_SECRET, Identity, identity_of_token

OUTSIDE_SECRET = os.environ.get("INBOX_JWT_SECRET") or DEV_JWT_SECRET


def identity_of_user(user) -> Identity:
    """The identity of a Django user: its pk (a string as group key, the integer as ``sender_id``)."""
    return Identity(id=str(user.pk), name=user.get_full_name() or user.username, avatar=None, sender_id=user.pk, is_app_user=True)


@database_sync_to_async
def _simplejwt_identity(raw: str) -> Optional[Identity]:
    auth = JWTAuthentication()
    try:
        return identity_of_user(auth.get_user(auth.get_validated_token(raw.encode("utf-8"))))
    except (InvalidToken, TokenError, AuthenticationFailed):
        return None


async def identity_of_query_token(raw: str) -> Optional[Identity]:
    """A SimpleJWT access token of this server, else an outside issuer's token, else None."""
    return await _simplejwt_identity(raw) or identity_of_token(raw, OUTSIDE_SECRET)


class QueryTokenAuthMiddleware(BaseMiddleware):
    """Sets ``scope["identity"]`` from ``?token=`` when given, else from the session's user."""

    async def __call__(self, scope, receive, send):
        tokens = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("token", [])
        if tokens:
            identity = await identity_of_query_token(tokens[0]) if len(tokens) == 1 else None
        else:
            user = scope.get("user")
            identity = identity_of_user(user) if user is not None and user.is_authenticated else None
        return await super().__call__(dict(scope, identity=identity), receive, send)
