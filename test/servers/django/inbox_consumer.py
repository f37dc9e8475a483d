"""The inbox consumer: ONE user-level socket per client, frames routed by ``conversation_id``.

What a real app on Django Channels runs (tabrelay issue #14). Frames of one socket are handled one at
a time, in order (Channels awaits each handler before the next), so a ``pong`` proves every earlier
``subscribe`` of that socket has reached the channel layer.
"""
import json
import os
import uuid
from datetime import datetime, timezone
from typing import Optional

from channels.generic.websocket import AsyncWebsocketConsumer

from inbox_auth import DEV_JWT_SECRET, Identity, identity_from_query
from inbox_frames import FrameError, group_of, parse_frame

# Browsers cannot read an HTTP refusal's status, but they do see a close code.
UNAUTHORIZED = 4401
JWT_SECRET = os.environ.get("INBOX_JWT_SECRET") or DEV_JWT_SECRET

# Sockets of this process, for /stats (each daphne process counts its own).
LIVE: "set[InboxConsumer]" = set()


def live_stats() -> dict:
    """``{sockets, conversations, users}`` of this process, the shape of the Node endpoint's stats."""
    users: "dict[str, int]" = {}
    conversations: "set[str]" = set()
    for consumer in LIVE:
        users[consumer.user.id] = users.get(consumer.user.id, 0) + 1
        conversations.update(consumer.conversations)
    return {"sockets": len(LIVE), "conversations": len(conversations), "users": users}


def _now_iso() -> str:
    # The format of JavaScript's toISOString(), as the Node endpoint sends it.
    now = datetime.now(timezone.utc)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


class InboxConsumer(AsyncWebsocketConsumer):
    """One socket of one user: a member of ``user.<sub>`` and of each subscribed conversation."""

    user: Optional[Identity] = None

    async def connect(self) -> None:
        self.conversations: "set[str]" = set()
        self.user = identity_from_query(self.scope.get("query_string", b""), JWT_SECRET)
        if self.user is None:
            # Accept first: a close code is only visible to a browser after the handshake.
            await self.accept()
            await self.close(code=UNAUTHORIZED)
            return
        # Join before accepting, so a client that sees "open" already receives its user's frames.
        await self.channel_layer.group_add(group_of("user", self.user.id), self.channel_name)
        await self.accept()
        LIVE.add(self)

    async def disconnect(self, code: int) -> None:
        LIVE.discard(self)
        if self.user is None:
            return
        await self.channel_layer.group_discard(group_of("user", self.user.id), self.channel_name)
        for conversation in self.conversations:
            await self.channel_layer.group_discard(group_of("conversation", conversation), self.channel_name)
        self.conversations.clear()

    async def receive(self, text_data: Optional[str] = None, bytes_data: Optional[bytes] = None) -> None:
        if self.user is None:
            return
        try:
            await self.handle(parse_frame(text_data))
        except FrameError as error:
            await self.send_frame({"type": "error", "message": str(error)})

    async def handle(self, frame: dict) -> None:
        kind = frame["type"]
        if kind == "ping":
            await self.send_frame({"type": "pong"})
        elif kind == "subscribe":
            await self.channel_layer.group_add(group_of("conversation", frame["conversation_id"]), self.channel_name)
            self.conversations.add(frame["conversation_id"])
        elif kind == "unsubscribe":
            await self.channel_layer.group_discard(group_of("conversation", frame["conversation_id"]), self.channel_name)
            self.conversations.discard(frame["conversation_id"])
        elif kind == "TEXT":
            text = {"type": "TEXT", "message": frame["message"], "conversation_id": frame["conversation_id"], **self.stamp()}
            await self.to_conversation(frame["conversation_id"], text)
        elif kind == "typing":
            sender = {"sender_id": self.identity().id, "sender_name": self.identity().name}
            typing = {"type": "typing", "conversation_id": frame["conversation_id"], **sender, "typing": frame["typing"]}
            await self.to_conversation(frame["conversation_id"], typing)
        elif kind == "notify":
            notice = {"type": "NOTIFY", "message": frame["message"], **self.stamp()}
            await self.channel_layer.group_send(group_of("user", frame["to"]), {"type": "inbox.deliver", "frame": notice})

    def identity(self) -> Identity:
        if self.user is None:
            raise FrameError("not authenticated")
        return self.user

    def stamp(self) -> dict:
        """Sender fields plus a fresh id and time, computed once so every receiver gets the same."""
        user = self.identity()
        return {
            "sender_id": user.id,
            "sender_name": user.name,
            "sender_avatar": user.avatar,
            "created_at": _now_iso(),
            "message_id": str(uuid.uuid4()),
        }

    async def to_conversation(self, conversation: str, frame: dict) -> None:
        # Sending requires membership, as in an app that checks participants before group_send.
        if conversation not in self.conversations:
            raise FrameError(f'not subscribed to conversation "{conversation[:40]}": send a subscribe frame first')
        # group_send reaches every member, this socket included: the sender gets its own frame back.
        await self.channel_layer.group_send(group_of("conversation", conversation), {"type": "inbox.deliver", "frame": frame})

    async def inbox_deliver(self, event: dict) -> None:
        """Handler of the layer's ``inbox.deliver`` messages: forward the frame to the socket."""
        await self.send_frame(event["frame"])

    async def send_frame(self, frame: dict) -> None:
        await self.send(text_data=json.dumps(frame, ensure_ascii=False))
