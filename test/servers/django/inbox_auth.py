"""HS256 JWT verification with the standard library, so the server needs no PyJWT.

The socket's user comes from ``?token=<JWT>``: a token is accepted when its HS256 signature matches
the secret, ``exp`` is a number still in the future and it names a user: ``sub`` a non-empty string
(Supabase-style), or ``user_id`` an integer (Django SimpleJWT's default claim; the user id is its
decimal string).
"""
import base64
import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from typing import Any, Optional
from urllib.parse import parse_qs

# The dev secret of `supabase start`, the demo server's default (demo/server/tokens.ts).
DEV_JWT_SECRET = "super-secret-jwt-token-with-at-least-32-characters-long"


@dataclass(frozen=True)
class Identity:
    """Who a socket acts for: ``sub``, a display name and an avatar URL (or None)."""

    id: str
    name: str
    avatar: Optional[str]


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
    return Identity(id=user, name=name or user, avatar=avatar)


def identity_from_query(query_string: bytes, secret: str) -> Optional[Identity]:
    """The identity of ``?token=`` in an ASGI scope's query string, or None when absent or invalid."""
    tokens = parse_qs(query_string.decode("latin-1")).get("token", [])
    if len(tokens) != 1:
        return None
    claims = verify_hs256(tokens[0], secret)
    return None if claims is None else identity_of(claims)
