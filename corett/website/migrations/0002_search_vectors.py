"""Stored full-text vectors for the public search (``corett.website.search``).

Both databases get the nullable ``search_es`` / ``search_en`` columns (SQLite keeps them empty).
On PostgreSQL only, this also

- installs the ``unaccent`` extension when the server has it and the role may (otherwise the
  search simply does not fold accents: a savepoint keeps the failure from aborting the migration);
- creates the text search configurations ``corett_es`` and ``corett_en``: copies of Spanish and
  English that pass words through ``unaccent`` before stemming, when it is there (the vectors
  hold each word stemmed both ways: ``corett.website.search`` says why);
- creates one GIN index per vector. They are not in the models' ``Meta.indexes`` on purpose: a
  GIN index cannot exist on SQLite, whose table rebuilds would try to recreate it;
- fills the vectors of the articles and publications that already exist.
"""

import django.contrib.postgres.search
from django.db import DatabaseError, migrations, transaction

CONFIGS = {"corett_es": ("spanish", "spanish_stem"), "corett_en": ("english", "english_stem")}
INDEXES = [
    (table, f"{table}_search_{code}_gin", f"search_{code}")
    for table in ("website_article", "website_publication")
    for code in ("es", "en")
]


def _vector(configs, texts):
    """The SQL of ``corett.website.search``'s vector, as of this migration."""
    return " || ".join(
        f"setweight(to_tsvector('{config}', coalesce({column}, '')), '{weight}')"
        for config in configs for column, weight in texts
    )


def _fill_sql():
    languages = {"es": ("spanish", "corett_es"), "en": ("english", "corett_en")}
    tables = {
        "website_article": (("title", "A"), ("summary", "B"), ("body", "C")),
        "website_publication": (("title", "A"), ("description", "B")),
    }
    return [
        f"UPDATE {table} SET " + ", ".join(
            f"search_{code} = " + _vector(configs, [(f"{name}_{code}", weight) for name, weight in texts])
            for code, configs in languages.items()
        )
        for table, texts in tables.items()
    ]


def _has_unaccent(schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'unaccent'")
        if cursor.fetchone():
            return True
        cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'unaccent'")
        if not cursor.fetchone():
            return False
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    except DatabaseError:  # not allowed to: the search works, without folding accents
        return False
    return True


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    unaccent = _has_unaccent(schema_editor)
    for name, (source, stemmer) in CONFIGS.items():
        schema_editor.execute(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {name}")
        schema_editor.execute(f"CREATE TEXT SEARCH CONFIGURATION {name} (COPY = pg_catalog.{source})")
        if unaccent:
            schema_editor.execute(
                f"ALTER TEXT SEARCH CONFIGURATION {name} ALTER MAPPING FOR hword, hword_part, word "
                f"WITH unaccent, {stemmer}"
            )
    for table, index, column in INDEXES:
        schema_editor.execute(f"CREATE INDEX {index} ON {table} USING gin ({column})")
    for statement in _fill_sql():
        schema_editor.execute(statement)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for _table, index, _column in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {index}")
    for name in CONFIGS:
        schema_editor.execute(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("website", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="article",
            name="search_en",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="article",
            name="search_es",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="publication",
            name="search_en",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="publication",
            name="search_es",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(forwards, backwards),
    ]
