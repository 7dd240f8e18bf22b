"""The topics agreement F names, and those the coalition's training plans name; the Secretariat
adds others in the application."""

from django.db import migrations

TOPICS = [
    ("prevention", "Estrategias de prevención", "Prevention strategies"),
    ("identification", "Identificación de víctimas", "Identification of victims"),
    ("victim_care", "Atención a víctimas", "Victim care"),
    ("repatriation_protocol", "Protocolo de repatriación", "The repatriation protocol"),
    ("smuggling", "Tráfico ilícito de migrantes", "Smuggling of migrants"),
    ("communication", "Comunicar sobre la trata", "Communicating about trafficking"),
]


def add_topics(apps, schema_editor):
    Topic = apps.get_model("training", "Topic")
    for code, name_es, name_en in TOPICS:
        Topic.objects.get_or_create(code=code, defaults={"name_es": name_es, "name_en": name_en})


class Migration(migrations.Migration):
    dependencies = [("training", "0001_initial")]
    operations = [migrations.RunPython(add_topics, migrations.RunPython.noop)]
