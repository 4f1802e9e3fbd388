"""A forfeit says why in a field (`reason`), not in the first word of its note.

Backfill: forfeits written before carried the whole sentence in the note
("forfeited — cancelled 3 h before start", "forfeited — the student did not
attend"). They get their reason, and the note keeps only the detail, so the
history reads exactly as before. This is the one sanctioned rewrite of ledger
rows: the append-only trigger is switched off for these two statements, inside
this migration's transaction, and on again before it commits.
"""

from django.conf import settings
from django.db import migrations, models

BACKFILL = """
SET CONSTRAINTS ALL IMMEDIATE;
ALTER TABLE credits_ledgerentry DISABLE TRIGGER credits_ledger_append_only;
UPDATE credits_ledgerentry SET reason = 'student_no_show', note = ''
 WHERE kind = 'forfeit' AND reason = '' AND lower(note) LIKE 'forfeited — the student did not attend%';
UPDATE credits_ledgerentry SET reason = 'late_cancellation',
       note = CASE WHEN lower(note) LIKE 'forfeited — %' THEN substr(note, length('forfeited — ') + 1) ELSE note END
 WHERE kind = 'forfeit' AND reason = '' AND lower(note) LIKE '%cancelled%';
ALTER TABLE credits_ledgerentry ENABLE TRIGGER credits_ledger_append_only;
"""


def backfill(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(BACKFILL)


class Migration(migrations.Migration):

    dependencies = [
        ('credits', '0003_due_index_with_id'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='ledgerentry',
            name='reason',
            field=models.CharField(blank=True, choices=[('late_cancellation', 'cancelled less than 24 hours before the start'), ('student_no_show', 'the student did not attend')], db_default='', default='', max_length=32),
        ),
        migrations.AddConstraint(
            model_name='ledgerentry',
            constraint=models.CheckConstraint(condition=models.Q(('reason', ''), ('kind', 'forfeit'), _connector='OR'), name='credits_only_forfeits_carry_a_reason'),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
