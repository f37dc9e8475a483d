"""The test users, created by ``migrate``: pks 1..4 in this order, password ``<username>-password``."""
from django.contrib.auth.hashers import make_password
from django.db import migrations

USERS = [("alice", "Alice"), ("bob", "Bob"), ("carol", "Carol"), ("dave", "Dave")]


def create_users(apps, schema_editor) -> None:
    user_model = apps.get_model("auth", "User")
    for username, name in USERS:
        user_model.objects.get_or_create(username=username, defaults={"first_name": name, "password": make_password(f"{username}-password")})


class Migration(migrations.Migration):
    dependencies = [("inbox", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(create_users, migrations.RunPython.noop)]
