"""A conversation message as the app stores it; its autoincrement id is the ``message_id`` of frames."""
from django.db import models


class Message(models.Model):
    """One TEXT of a conversation. ``id`` grows with every insert, so ``id > since`` is what a socket missed.

    The sender is the app's user (``sender_id``, an integer) or, for a token of an outside issuer,
    its ``sub`` string (``sender_sub``).
    """

    conversation_id = models.CharField(max_length=256, db_index=True)
    sender_id = models.IntegerField(null=True)
    sender_sub = models.CharField(max_length=256, blank=True, default="")
    sender_name = models.CharField(max_length=256)
    sender_avatar = models.CharField(max_length=1024, null=True)
    message = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["conversation_id", "id"])]

    def frame(self) -> dict:
        """The TEXT frame of this message, as sockets and the history endpoint send it."""
        created = self.created_at
        iso = created.strftime("%Y-%m-%dT%H:%M:%S.") + f"{created.microsecond // 1000:03d}Z"
        return {
            "type": "TEXT",
            "message": self.message,
            "conversation_id": self.conversation_id,
            "sender_id": self.sender_id if self.sender_id is not None else self.sender_sub,
            "sender_name": self.sender_name,
            "sender_avatar": self.sender_avatar,
            "created_at": iso,
            "message_id": self.id,
        }
