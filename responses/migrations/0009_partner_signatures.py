"""A statutory partner's signature on a version of the partners' written response (issue 19). Like a
signed version, a signature never changes: the model refuses in `save`, and these triggers refuse any UPDATE
of the row whatever writes to the database."""

import django.db.models.deletion
import django.utils.timezone
import simple_history.models
from django.conf import settings
from django.db import migrations, models


SQLITE_UP = [
    """
    CREATE TRIGGER partner_signature_is_frozen
    BEFORE UPDATE ON responses_partnersignature
    FOR EACH ROW
    BEGIN
        SELECT RAISE(ABORT, 'A partner''s signature can never change');
    END
    """,
]
SQLITE_DOWN = ["DROP TRIGGER IF EXISTS partner_signature_is_frozen"]

POSTGRES_UP = [
    """
    CREATE OR REPLACE FUNCTION partner_signature_is_frozen() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION 'A partner''s signature can never change'
            USING ERRCODE = 'integrity_constraint_violation';
    END;
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER partner_signature_is_frozen
    BEFORE UPDATE ON responses_partnersignature
    FOR EACH ROW EXECUTE FUNCTION partner_signature_is_frozen()
    """,
]
POSTGRES_DOWN = [
    "DROP TRIGGER IF EXISTS partner_signature_is_frozen ON responses_partnersignature",
    "DROP FUNCTION IF EXISTS partner_signature_is_frozen()",
]


def _run(statements: dict):
    def run(apps, schema_editor):
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):

    dependencies = [
        ('responses', '0008_action_latest_progress'),
        ('reviews', '0013_two_regimes'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='HistoricalPartnerSignature',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('partner', models.CharField(choices=[('local_authority', 'Local authority'), ('icb', 'Integrated care board'), ('police', 'Chief officer of police')], max_length=20, verbose_name='statutory partner')),
                ('digest', models.CharField(max_length=64, verbose_name='SHA-256 digest of the signed text')),
                ('signed_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('organisation', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='reviews.agency')),
                ('user', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('version', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='responses.responseversion')),
            ],
            options={
                'verbose_name': 'historical partner signature',
                'verbose_name_plural': 'historical partner signatures',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='PartnerSignature',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('partner', models.CharField(choices=[('local_authority', 'Local authority'), ('icb', 'Integrated care board'), ('police', 'Chief officer of police')], max_length=20, verbose_name='statutory partner')),
                ('digest', models.CharField(max_length=64, verbose_name='SHA-256 digest of the signed text')),
                ('signed_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('organisation', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='reviews.agency')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('version', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='partner_signatures', to='responses.responseversion')),
            ],
            options={
                'ordering': ['version', 'signed_at', 'pk'],
                'constraints': [models.UniqueConstraint(fields=('version', 'partner', 'digest'), name='partner_signs_a_text_once'), models.CheckConstraint(condition=models.Q(('digest__regex', '^[0-9a-f]{64}$')), name='partner_signature_has_digest')],
            },
        ),
        migrations.RunPython(
            _run({"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}),
            _run({"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}),
        ),
    ]
