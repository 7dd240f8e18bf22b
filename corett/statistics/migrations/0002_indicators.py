"""The indicators the coalition reports (codes fixed by issue 4; names in both languages)."""

from django.db import migrations

INDICATORS = [
    ("detected_victims", "Víctimas detectadas", "Detected victims",
     "Personas identificadas como víctimas de trata por las autoridades en el periodo.",
     "Persons identified as victims of trafficking by the authorities in the period."),
    ("persons_prosecuted", "Personas procesadas", "Persons prosecuted",
     "Personas contra las que se inició un proceso penal por trata en el periodo.",
     "Persons against whom criminal proceedings for trafficking began in the period."),
    ("persons_convicted", "Personas condenadas", "Persons convicted",
     "Personas condenadas por trata en el periodo.",
     "Persons convicted of trafficking in the period."),
    ("persons_in_formal_contact", "Personas en contacto formal con la justicia",
     "Persons brought into formal contact",
     "Personas sospechosas, detenidas o advertidas por trata (contacto formal con la policía).",
     "Persons suspected, arrested or cautioned for trafficking (formal contact with the police)."),
    ("offences", "Delitos de trata registrados", "Offences of trafficking in persons",
     "Delitos de trata de personas registrados por la policía.",
     "Offences of trafficking in persons recorded by the police."),
    ("victims_repatriated", "Víctimas repatriadas", "Victims repatriated",
     "Víctimas retornadas a su país de origen o de residencia.",
     "Victims returned to their country of origin or residence."),
    ("victims_assisted", "Víctimas asistidas", "Victims assisted",
     "Víctimas que recibieron asistencia (alojamiento, salud, apoyo legal o psicosocial).",
     "Victims who received assistance (shelter, health, legal or psychosocial support)."),
]


def create(apps, schema_editor):
    Indicator = apps.get_model("statistics", "Indicator")
    for position, (code, name_es, name_en, def_es, def_en) in enumerate(INDICATORS, start=1):
        Indicator.objects.update_or_create(
            code=code,
            defaults={"name_es": name_es, "name_en": name_en, "definition_es": def_es,
                      "definition_en": def_en, "position": position},
        )


class Migration(migrations.Migration):
    dependencies = [("statistics", "0001_initial")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
