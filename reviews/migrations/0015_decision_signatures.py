"""A statutory partner's signature on the partners' decision about a practice review (issue 19): the
decision is made when the three partners have signed the same text. Like a signature on the written
response, it never changes: the model refuses in `save`, and these triggers refuse any UPDATE of the row
whatever writes to the database. Also: the board's timescales' and the review's help texts name both kinds
of body."""

import django.core.validators
import django.db.models.deletion
import django.utils.timezone
import simple_history.models
from django.conf import settings
from django.db import migrations, models



SQLITE_UP = [
    """
    CREATE TRIGGER decision_signature_is_frozen
    BEFORE UPDATE ON reviews_decisionsignature
    FOR EACH ROW
    BEGIN
        SELECT RAISE(ABORT, 'A partner''s signature on a decision can never change');
    END
    """,
]
SQLITE_DOWN = ["DROP TRIGGER IF EXISTS decision_signature_is_frozen"]

POSTGRES_UP = [
    """
    CREATE OR REPLACE FUNCTION decision_signature_is_frozen() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION 'A partner''s signature on a decision can never change'
            USING ERRCODE = 'integrity_constraint_violation';
    END;
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER decision_signature_is_frozen
    BEFORE UPDATE ON reviews_decisionsignature
    FOR EACH ROW EXECUTE FUNCTION decision_signature_is_frozen()
    """,
]
POSTGRES_DOWN = [
    "DROP TRIGGER IF EXISTS decision_signature_is_frozen ON reviews_decisionsignature",
    "DROP FUNCTION IF EXISTS decision_signature_is_frozen()",
]


def _run(statements: dict):
    def run(apps, schema_editor):
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):

    dependencies = [
        ('reviews', '0014_due_kind_fits_every_clock'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='DecisionSignature',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('step', models.CharField(max_length=40, verbose_name="the decision's step")),
                ('text', models.TextField(verbose_name='the decision as signed')),
                ('values', models.JSONField(blank=True, default=dict, verbose_name="the decision's form values")),
                ('partner', models.CharField(choices=[('local_authority', 'Local authority'), ('icb', 'Integrated care board'), ('police', 'Chief officer of police')], max_length=20, verbose_name='statutory partner')),
                ('digest', models.CharField(max_length=64, verbose_name='SHA-256 digest of the signed decision')),
                ('signed_at', models.DateTimeField(default=django.utils.timezone.now)),
            ],
            options={
                'ordering': ['review', 'signed_at', 'pk'],
            },
        ),
        migrations.CreateModel(
            name='HistoricalDecisionSignature',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('step', models.CharField(max_length=40, verbose_name="the decision's step")),
                ('text', models.TextField(verbose_name='the decision as signed')),
                ('values', models.JSONField(blank=True, default=dict, verbose_name="the decision's form values")),
                ('partner', models.CharField(choices=[('local_authority', 'Local authority'), ('icb', 'Integrated care board'), ('police', 'Chief officer of police')], max_length=20, verbose_name='statutory partner')),
                ('digest', models.CharField(max_length=64, verbose_name='SHA-256 digest of the signed decision')),
                ('signed_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
            ],
            options={
                'verbose_name': 'historical decision signature',
                'verbose_name_plural': 'historical decision signatures',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.AlterField(
            model_name='board',
            name='decision_months',
            field=models.PositiveSmallIntegerField(default=1, help_text='From the day the incident becomes known to the decision whether to hold a review.', validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(12)], verbose_name='decide within (months)'),
        ),
        migrations.AlterField(
            model_name='board',
            name='notification_working_days',
            field=models.PositiveSmallIntegerField(default=5, help_text='From the day the incident becomes known (to the board, or to the local authority) to notifying the national panel and Ofsted.', validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(60)], verbose_name='notify within (working days)'),
        ),
        migrations.AlterField(
            model_name='board',
            name='publication_months',
            field=models.PositiveSmallIntegerField(default=3, help_text="From receiving the final report to publishing it with the board's or the partners' response.", validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(24)], verbose_name='publish within (months)'),
        ),
        migrations.AlterField(
            model_name='historicalboard',
            name='decision_months',
            field=models.PositiveSmallIntegerField(default=1, help_text='From the day the incident becomes known to the decision whether to hold a review.', validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(12)], verbose_name='decide within (months)'),
        ),
        migrations.AlterField(
            model_name='historicalboard',
            name='notification_working_days',
            field=models.PositiveSmallIntegerField(default=5, help_text='From the day the incident becomes known (to the board, or to the local authority) to notifying the national panel and Ofsted.', validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(60)], verbose_name='notify within (working days)'),
        ),
        migrations.AlterField(
            model_name='historicalboard',
            name='publication_months',
            field=models.PositiveSmallIntegerField(default=3, help_text="From receiving the final report to publishing it with the board's or the partners' response.", validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(24)], verbose_name='publish within (months)'),
        ),
        migrations.AlterField(
            model_name='historicalreview',
            name='decided_by',
            field=models.ForeignKey(blank=True, db_constraint=False, help_text="Under a board, the chair; under a partnership, the partner whose signature made the partners' decision.", null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='who decided'),
        ),
        migrations.AlterField(
            model_name='historicalreview',
            name='reference',
            field=models.CharField(help_text="The board's or partnership's own reference, for example NSCB-2026-03.", max_length=40),
        ),
        migrations.AlterField(
            model_name='historicalreview',
            name='response_published_on',
            field=models.DateField(blank=True, null=True, verbose_name='response published on'),
        ),
        migrations.AlterField(
            model_name='review',
            name='decided_by',
            field=models.ForeignKey(blank=True, help_text="Under a board, the chair; under a partnership, the partner whose signature made the partners' decision.", null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='who decided'),
        ),
        migrations.AlterField(
            model_name='review',
            name='reference',
            field=models.CharField(help_text="The board's or partnership's own reference, for example NSCB-2026-03.", max_length=40),
        ),
        migrations.AlterField(
            model_name='review',
            name='response_published_on',
            field=models.DateField(blank=True, null=True, verbose_name='response published on'),
        ),
        migrations.AlterConstraint(
            model_name='review',
            name='review_notified_after_incident',
            constraint=models.CheckConstraint(condition=models.Q(('incident_date__isnull', True), ('notification_date__isnull', True), ('notification_date__gte', models.F('incident_date')), _connector='OR'), name='review_notified_after_incident', violation_error_message='The incident cannot become known before it happened.'),
        ),
        migrations.AddField(
            model_name='decisionsignature',
            name='organisation',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='reviews.agency'),
        ),
        migrations.AddField(
            model_name='decisionsignature',
            name='review',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='decision_signatures', to='reviews.review'),
        ),
        migrations.AddField(
            model_name='decisionsignature',
            name='user',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicaldecisionsignature',
            name='history_user',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicaldecisionsignature',
            name='organisation',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='reviews.agency'),
        ),
        migrations.AddField(
            model_name='historicaldecisionsignature',
            name='review',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='reviews.review'),
        ),
        migrations.AddField(
            model_name='historicaldecisionsignature',
            name='user',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddConstraint(
            model_name='decisionsignature',
            constraint=models.UniqueConstraint(fields=('review', 'partner', 'digest'), name='partner_signs_a_decision_once'),
        ),
        migrations.AddConstraint(
            model_name='decisionsignature',
            constraint=models.CheckConstraint(condition=models.Q(('digest__regex', '^[0-9a-f]{64}$')), name='decision_signature_has_digest'),
        ),
        migrations.RunPython(
            _run({"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}),
            _run({"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}),
        ),
    ]
