"""The inbox consumer: ONE user-level socket per client, frames routed by ``conversation_id``.

What a real app on Django Channels runs (tabrelay issues #14, #24). Frames of one socket and the
channel layer's messages to it are handled one at a time, in order (Channels awaits each handler
before the next), so a ``pong`` proves every earlier ``subscribe`` of that socket has reached the
channel layer, and a replay is sent whole before any live frame that arrived meanwhile.
"""
import json
from typing import Optional

from channels.generic.websocket import AsyncWebsocketConsumer

from inbox.frames import FrameError, group_of, parse_frame
from inbox.history import create_message, notice_stamp, replay_after
from inbox.tokens import Identity

# Browsers cannot read an HTTP refusal's status, but they do see a close code.
UNAUTHORIZED = 4401

# Sockets of this process, for /stats (each daphne process counts its own).
LIVE: "set[InboxConsumer]" = set()


def live_stats() -> dict:
    """``{sockets, conversations, users}`` of this process, the shape of the Node endpoint's stats."""
    users: "dict[str, int]" = {}
    conversations: "set[str]" = set()
    for consumer in LIVE:
        users[consumer.identity().id] = users.get(consumer.identity().id, 0) + 1
        conversations.update(consumer.conversations)
    return {"sockets": len(LIVE), "conversations": len(conversations), "users": users}


class InboxConsumer(AsyncWebsocketConsumer):
    """One socket of one user: a member of ``user.<id>`` and of each subscribed conversation."""

    user: Optional[Identity] = None

    async def connect(self) -> None:
        self.conversations: "set[str]" = set()
        # Per conversation: the newest message_id a replay covered; live copies up to it are skipped.
        self.covered: "dict[str, int]" = {}
        self.user = self.scope.get("identity")
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
            if "since" in frame:
                await self.replay(frame["conversation_id"], frame["since"])
        elif kind == "unsubscribe":
            await self.channel_layer.group_discard(group_of("conversation", frame["conversation_id"]), self.channel_name)
            self.conversations.discard(frame["conversation_id"])
            self.covered.pop(frame["conversation_id"], None)
        elif kind == "TEXT":
            self.require_member(frame["conversation_id"])
            text = await create_message(self.identity(), frame["conversation_id"], frame["message"])
            await self.to_conversation(frame["conversation_id"], text)
        elif kind == "typing":
            user = self.identity()
            typing = {"type": "typing", "conversation_id": frame["conversation_id"], "sender_id": user.sender_id, "sender_name": user.name, "typing": frame["typing"]}
            self.require_member(frame["conversation_id"])
            await self.to_conversation(frame["conversation_id"], typing)
        elif kind == "notify":
            notice = {"type": "NOTIFY", "message": frame["message"], **notice_stamp(self.identity())}
            await self.channel_layer.group_send(group_of("user", frame["to"]), {"type": "inbox.deliver", "frame": notice})

    async def replay(self, conversation: str, since: Optional[int]) -> None:
        """What the socket missed after ``since`` (oldest first), then a ``replayed`` frame.

        Joined before reading, so nothing falls between the read and the live frames; a live copy of
        a replayed message is skipped (``covered``). More than REPLAY_MAX missed: none is sent and
        ``is_complete`` is false, the client refetches history instead.
        """
        missed, newest, is_complete = await replay_after(conversation, since)
        for message in missed:
            await self.send_frame(message)
        self.covered[conversation] = max(newest, self.covered.get(conversation, 0))
        await self.send_frame({"type": "replayed", "conversation_id": conversation, "since": since, "count": len(missed), "last_message_id": newest, "is_complete": is_complete})

    def identity(self) -> Identity:
        if self.user is None:
            raise FrameError("not authenticated")
        return self.user

    def require_member(self, conversation: str) -> None:
        # Sending requires membership, as in an app that checks participants before group_send.
        if conversation not in self.conversations:
            raise FrameError(f'not subscribed to conversation "{conversation[:40]}": send a subscribe frame first')

    async def to_conversation(self, conversation: str, frame: dict) -> None:
        # group_send reaches every member, this socket included: the sender gets its own frame back.
        await self.channel_layer.group_send(group_of("conversation", conversation), {"type": "inbox.deliver", "frame": frame})

    async def inbox_deliver(self, event: dict) -> None:
        """Handler of the layer's ``inbox.deliver`` messages: forward the frame to the socket."""
        frame = event["frame"]
        covered = self.covered.get(frame.get("conversation_id"), 0) if frame.get("type") == "TEXT" else 0
        if covered and isinstance(frame.get("message_id"), int) and frame["message_id"] <= covered:
            return
        await self.send_frame(frame)

    async def send_frame(self, frame: dict) -> None:
        await self.send(text_data=json.dumps(frame, ensure_ascii=False))
