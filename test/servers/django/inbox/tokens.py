"""Tokens of an outside issuer (Supabase-style), checked with the standard library.

The app's own users sign in with a session cookie or a SimpleJWT token (``inbox.auth``). Beside them
the server takes HS256 tokens of an outside issuer signed with ``INBOX_JWT_SECRET`` (the demo's dev
secret by default), as a Django app behind Supabase Auth would: accepted when the signature matches,
``exp`` is a number still in the future and the token names a user: ``sub`` a non-empty string, or
``user_id`` an integer (its decimal string). Such a user is not in Django's user table.
"""
import base64
import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from typing import Any, Optional, Union

# The dev secret of `supabase start`, the demo server's default (demo/server/tokens.ts).
DEV_JWT_SECRET = "super-secret-jwt-token-with-at-least-32-characters-long"


@dataclass(frozen=True)
class Identity:
    """Who a socket acts for: ``id`` (the key of its user group and /stats), the ``sender_id`` of its
    frames (the integer pk of a Django user, else the outside issuer's ``sub``), a display name and an
    avatar URL (or None)."""

    id: str
    name: str
    avatar: Optional[str]
    sender_id: Union[int, str] = ""
    is_app_user: bool = False

    @property
    def is_authenticated(self) -> bool:
        return True


def _b64url(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def verify_hs256(token: str, secret: str, now: Optional[float] = None) -> Optional[dict]:
    """The token's claims if signature, ``exp`` and the user claim check out, else None.

    >>> verify_hs256("not.a.jwt", DEV_JWT_SECRET) is None
    True
    """
    try:
        header_b64, payload_b64, signature_b64 = token.split(".")
        header = json.loads(_b64url(header_b64))
        claims = json.loads(_b64url(payload_b64))
        signed = f"{header_b64}.{payload_b64}".encode("ascii")
        signature = _b64url(signature_b64)
    except ValueError:  # also covers binascii.Error, JSONDecodeError and UnicodeError
        return None
    # Only HS256: a token naming another algorithm ("none") is refused, not checked differently.
    if not isinstance(header, dict) or header.get("alg") != "HS256" or not isinstance(claims, dict):
        return None
    expected = hmac.new(secret.encode("utf-8"), signed, hashlib.sha256).digest()
    if not hmac.compare_digest(expected, signature):
        return None
    exp = claims.get("exp")
    if isinstance(exp, bool) or not isinstance(exp, (int, float)):
        return None
    if (time.time() if now is None else now) >= exp:
        return None
    return claims if _user_id(claims) is not None else None


def _user_id(claims: dict) -> Optional[str]:
    """``sub`` when a non-empty string, else SimpleJWT's integer ``user_id`` as a string.

    >>> _user_id({"user_id": 7}), _user_id({"sub": "alice"}), _user_id({"user_id": True})
    ('7', 'alice', None)
    """
    sub = claims.get("sub")
    if isinstance(sub, str) and sub != "":
        return sub
    user_id = claims.get("user_id")
    return str(user_id) if isinstance(user_id, int) and not isinstance(user_id, bool) else None


def _text(value: Any) -> Optional[str]:
    return value if isinstance(value, str) and value != "" else None


def identity_of(claims: dict) -> Identity:
    """Name from ``user_metadata.name``/``full_name`` or ``name`` (else ``sub``); avatar likewise.

    >>> identity_of({"sub": "alice"}).name
    'alice'
    """
    meta = claims.get("user_metadata")
    meta = meta if isinstance(meta, dict) else {}
    name = _text(meta.get("name")) or _text(meta.get("full_name")) or _text(claims.get("name"))
    avatar = _text(meta.get("avatar_url")) or _text(claims.get("avatar_url"))
    user = _user_id(claims) or ""
    return Identity(id=user, name=name or user, avatar=avatar, sender_id=user)


def identity_of_token(token: str, secret: str) -> Optional[Identity]:
    """The identity of an outside issuer's token, or None when it does not check out."""
    claims = verify_hs256(token, secret)
    return None if claims is None else identity_of(claims)
