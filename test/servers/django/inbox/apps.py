"""The inbox app: messages, the WebSocket consumer, its auth middleware and the REST views."""
from django.apps import AppConfig


class InboxConfig(AppConfig):
    name = "inbox"
    default_auto_field = "django.db.models.AutoField"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        connection_created.connect(_sqlite_wal)


def _sqlite_wal(sender, connection, **kwargs) -> None:
    # WAL lets one daphne read while the other writes (the default journal locks readers out).
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode=WAL")
