"""The implementation workflow the platform starts with; the Secretariat may change it later."""

from django.db import migrations

DEFAULT_TRANSITIONS = (
    ("pending", "in_progress"), ("pending", "fulfilled"), ("pending", "cancelled"), ("pending", "superseded"),
    ("in_progress", "fulfilled"), ("in_progress", "cancelled"), ("in_progress", "superseded"),
    ("overdue", "in_progress"), ("overdue", "fulfilled"), ("overdue", "cancelled"), ("overdue", "superseded"),
)


def add_defaults(apps, schema_editor):
    transition = apps.get_model("meetings", "ImplementationTransition")
    for from_state, to_state in DEFAULT_TRANSITIONS:
        transition.objects.get_or_create(from_state=from_state, to_state=to_state)


class Migration(migrations.Migration):
    dependencies = [("meetings", "0001_initial")]

    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
