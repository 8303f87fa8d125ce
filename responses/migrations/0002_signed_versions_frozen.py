"""A signed version of the board's response never changes, whatever writes to the database: the model
refuses in `save`, and these triggers refuse any UPDATE of a signed row (an ORM `.update()`, raw SQL, a
data fix). Deleting a signed version is refused by the model and the admin; the review it belongs to is
protected from deletion. Also loads the standard themes.

SQLite drops a table's triggers when a migration rebuilds the table: a later migration that alters
responses_responseversion must create the SQLite trigger again (the raw-update tests fail if it is missing)."""

from django.db import migrations

SQLITE_UP = [
    """
    CREATE TRIGGER response_version_signed_is_frozen
    BEFORE UPDATE ON responses_responseversion
    FOR EACH ROW WHEN OLD.signed_at IS NOT NULL
    BEGIN
        SELECT RAISE(ABORT, 'A signed version of the response can never change');
    END
    """,
]
SQLITE_DOWN = ["DROP TRIGGER IF EXISTS response_version_signed_is_frozen"]

POSTGRES_UP = [
    """
    CREATE OR REPLACE FUNCTION response_version_signed_is_frozen() RETURNS trigger AS $$
    BEGIN
        IF OLD.signed_at IS NOT NULL THEN
            RAISE EXCEPTION 'A signed version of the response can never change'
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NEW;
    END;
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER response_version_signed_is_frozen
    BEFORE UPDATE ON responses_responseversion
    FOR EACH ROW EXECUTE FUNCTION response_version_signed_is_frozen()
    """,
]
POSTGRES_DOWN = [
    "DROP TRIGGER IF EXISTS response_version_signed_is_frozen ON responses_responseversion",
    "DROP FUNCTION IF EXISTS response_version_signed_is_frozen()",
]


def _run(statements: dict):
    def run(apps, schema_editor):
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


def load_themes(apps, schema_editor):
    from responses.themes import ensure_standard_themes

    ensure_standard_themes(apps.get_model("responses", "Theme"))


class Migration(migrations.Migration):
    dependencies = [("responses", "0001_response")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}),
            _run({"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}),
        ),
        migrations.RunPython(load_themes, migrations.RunPython.noop),
    ]
