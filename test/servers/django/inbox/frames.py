"""Validation of incoming inbox frames and the Channels group names they map to.

The Node endpoint (demo/server/inbox-frames.ts) applies the same rules with the same error
messages, so one contract suite runs against both.
"""
import hashlib
import json
import re
from typing import Any

MAX_ID_LENGTH = 256
# Channels allows group names of fewer than 100 ASCII alphanumerics, hyphens, underscores or periods.
_PLAIN_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def _length(value: str) -> int:
    # UTF-16 code units, as JavaScript's `length` counts them, so both servers share one limit.
    return len(value.encode("utf-16-le")) // 2


class FrameError(Exception):
    """A frame the server refuses; its message goes back to the client in an ``error`` frame."""


def group_of(kind: str, key: str) -> str:
    """``kind.key`` for ids in the group-name charset, else ``kind..<sha256>``.

    The hashed form contains "..", which a plain id (no periods) can never produce, so two different
    ids never share a group.

    >>> group_of("conversation", "lobby"), group_of("user", "a b")[:7]
    ('conversation.lobby', 'user..c')
    """
    if _PLAIN_ID.match(key):
        return f"{kind}.{key}"
    return f"{kind}..{hashlib.sha256(key.encode('utf-8')).hexdigest()}"


def _conversation(frame: dict) -> str:
    value = frame.get("conversation_id")
    if not isinstance(value, str) or value == "" or _length(value) > MAX_ID_LENGTH:
        raise FrameError(f"conversation_id must be a non-empty string of at most {MAX_ID_LENGTH} characters")
    return value


def _message(frame: dict) -> str:
    value = frame.get("message")
    if not isinstance(value, str) or value == "":
        raise FrameError('"message" must be a non-empty string')
    return value


def _recipient(frame: dict) -> str:
    value = frame.get("to")
    if not isinstance(value, str) or value == "" or _length(value) > MAX_ID_LENGTH:
        raise FrameError('"to" must be a non-empty string (a user id)')
    return value


def _typing(frame: dict) -> bool:
    value = frame.get("typing")
    if not isinstance(value, bool):
        raise FrameError('"typing" must be true or false')
    return value


def _since(frame: dict) -> "int | None":
    value = frame.get("since")
    if value is None or (isinstance(value, int) and not isinstance(value, bool) and value >= 0):
        return value
    raise FrameError('"since" must be a message_id (an integer of at least 0) or null')


def parse_frame(text: Any) -> dict:
    """The frame as ``{type, ...validated fields}``, or FrameError with what to fix.

    >>> parse_frame('{"type": "ping"}')
    {'type': 'ping'}
    """
    if not isinstance(text, str):
        raise FrameError("frames must be JSON text")
    try:
        frame = json.loads(text)
    except ValueError:
        raise FrameError("frames must be JSON text") from None
    if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
        raise FrameError('a frame must be a JSON object with a string "type"')
    kind = frame["type"]
    if kind == "subscribe" and "since" in frame:
        return {"type": kind, "conversation_id": _conversation(frame), "since": _since(frame)}
    if kind in ("subscribe", "unsubscribe"):
        return {"type": kind, "conversation_id": _conversation(frame)}
    if kind == "TEXT":
        return {"type": kind, "conversation_id": _conversation(frame), "message": _message(frame)}
    if kind == "typing":
        return {"type": kind, "conversation_id": _conversation(frame), "typing": _typing(frame)}
    if kind == "notify":
        return {"type": kind, "to": _recipient(frame), "message": _message(frame)}
    if kind == "ping":
        return {"type": kind}
    raise FrameError(f'unknown frame type "{kind[:40]}": expected subscribe, unsubscribe, TEXT, typing, notify or ping')
