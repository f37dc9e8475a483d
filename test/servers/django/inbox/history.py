"""Messages in the database: stored before they are sent, read back for a replay or the history view."""
import uuid
from datetime import datetime, timezone
from typing import Optional

from channels.db import database_sync_to_async

from inbox.models import Message
from inbox.tokens import Identity

# The most messages a subscribe's replay sends; a longer gap is reported, not replayed.
REPLAY_MAX = 500


def _iso(moment: datetime) -> str:
    # The format of JavaScript's toISOString(), as the Node endpoint sends it.
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


@database_sync_to_async
def create_message(user: Identity, conversation: str, text: str) -> dict:
    """Stores a TEXT and returns its frame: ``message_id`` is the row's autoincrement id."""
    message = Message.objects.create(
        conversation_id=conversation,
        sender_id=user.sender_id if user.is_app_user else None,
        sender_sub="" if user.is_app_user else user.id,
        sender_name=user.name,
        sender_avatar=user.avatar,
        message=text,
    )
    return message.frame()


@database_sync_to_async
def replay_after(conversation: str, since: Optional[int]) -> "tuple[list[dict], int, bool]":
    """The frames after ``since`` (none for None), oldest first; the conversation's newest id (0: none);
    whether that is all: not when more than REPLAY_MAX were missed, or ``since`` is newer than any
    message (another database: the client's cursor means nothing here)."""
    rows = Message.objects.filter(conversation_id=conversation)
    newest = rows.order_by("-id").values_list("id", flat=True).first() or 0
    if since is None:
        return [], newest, True
    if since > (Message.objects.order_by("-id").values_list("id", flat=True).first() or 0):
        return [], newest, False
    missed = [message.frame() for message in rows.filter(id__gt=since, id__lte=newest).order_by("id")[: REPLAY_MAX + 1]]
    return (missed, newest, True) if len(missed) <= REPLAY_MAX else ([], newest, False)


def history(conversation: str, before: Optional[int], limit: int) -> "list[dict]":
    """The ``limit`` newest frames of a conversation (older than ``before`` if given), oldest first."""
    rows = Message.objects.filter(conversation_id=conversation)
    if before is not None:
        rows = rows.filter(id__lt=before)
    return [message.frame() for message in reversed(rows.order_by("-id")[:limit])]


def notice_stamp(user: Identity) -> dict:
    """Sender fields plus a fresh id and time of a NOTIFY (not stored: its id is a UUID)."""
    return {
        "sender_id": user.sender_id,
        "sender_name": user.name,
        "sender_avatar": user.avatar,
        "created_at": _iso(datetime.now(timezone.utc)),
        "message_id": str(uuid.uuid4()),
    }
