"""Database rules for assignments that a plain UNIQUE or CHECK constraint cannot express.

- a position has at most one definitive holder, and at most one acting holder, on any day;
- an employee holds at most one definitive position on any day.

PostgreSQL: exclusion constraints over date ranges (btree_gist), safe under concurrent writers.
SQLite: BEFORE INSERT/UPDATE triggers; SQLite runs one writer at a time, so the check cannot race.
End dates are inclusive and an empty end date means "open".
"""

from __future__ import annotations

from django.db import migrations

POSTGRES_UP = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    """ALTER TABLE org_assignment ADD CONSTRAINT org_assignment_one_holder_per_kind
       EXCLUDE USING gist (position_id WITH =, kind WITH =, daterange(start_date, end_date, '[]') WITH &&)""",
    """ALTER TABLE org_assignment ADD CONSTRAINT org_assignment_one_definitive_per_employee
       EXCLUDE USING gist (employee_id WITH =, daterange(start_date, end_date, '[]') WITH &&)
       WHERE (kind = 'definitive')""",
]
POSTGRES_DOWN = [
    "ALTER TABLE org_assignment DROP CONSTRAINT IF EXISTS org_assignment_one_holder_per_kind",
    "ALTER TABLE org_assignment DROP CONSTRAINT IF EXISTS org_assignment_one_definitive_per_employee",
]

_SQLITE_CHECK = """
BEGIN
    SELECT RAISE(ABORT, 'org_assignment_one_holder_per_kind')
    WHERE EXISTS (
        SELECT 1 FROM org_assignment AS a
        WHERE a.position_id = NEW.position_id AND a.kind = NEW.kind AND a.id IS NOT NEW.id
          AND a.start_date <= COALESCE(NEW.end_date, '9999-12-31')
          AND NEW.start_date <= COALESCE(a.end_date, '9999-12-31')
    );
    SELECT RAISE(ABORT, 'org_assignment_one_definitive_per_employee')
    WHERE NEW.kind = 'definitive' AND EXISTS (
        SELECT 1 FROM org_assignment AS a
        WHERE a.employee_id = NEW.employee_id AND a.kind = 'definitive' AND a.id IS NOT NEW.id
          AND a.start_date <= COALESCE(NEW.end_date, '9999-12-31')
          AND NEW.start_date <= COALESCE(a.end_date, '9999-12-31')
    );
END
"""
SQLITE_UP = [
    "CREATE TRIGGER org_assignment_no_overlap_insert BEFORE INSERT ON org_assignment" + _SQLITE_CHECK,
    "CREATE TRIGGER org_assignment_no_overlap_update BEFORE UPDATE ON org_assignment" + _SQLITE_CHECK,
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS org_assignment_no_overlap_insert",
    "DROP TRIGGER IF EXISTS org_assignment_no_overlap_update",
]


def _run(statements: dict[str, list[str]]):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor):  # type: ignore[no-untyped-def]
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("org", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRES_UP, "sqlite": SQLITE_UP}),
            _run({"postgresql": POSTGRES_DOWN, "sqlite": SQLITE_DOWN}),
        ),
    ]
