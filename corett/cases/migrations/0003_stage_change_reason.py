"""Stage changes keep their (sealed) reason, bound to a per-row uuid.

Three steps, so that existing rows each get their own uuid before it becomes unique.
"""

import uuid

from django.db import migrations, models

import corett.lib.fields


def give_each_row_a_uuid(apps, schema_editor):
    StageChange = apps.get_model("cases", "StageChange")
    for pk in StageChange.objects.values_list("pk", flat=True):
        StageChange.objects.filter(pk=pk).update(uuid=uuid.uuid4())


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_alter_case_estimated_age")]

    operations = [
        migrations.AddField(
            model_name="stagechange",
            name="uuid",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.RunPython(give_each_row_a_uuid, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="stagechange",
            name="uuid",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
        migrations.AddField(
            model_name="stagechange",
            name="reason",
            field=corett.lib.fields.EncryptedField(verbose_name="reason"),
        ),
    ]
