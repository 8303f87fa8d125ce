"""The slowest SQL query of each key page, with its PostgreSQL plan: what bench/README.md keeps.

Run it from the repository against the database `manage.py seed_scale` filled (as bench.pages):

    DATABASE_URL=postgres://… .venv/bin/python -m bench.explain              # Markdown on stdout
    DATABASE_URL=postgres://… .venv/bin/python -m bench.explain --all        # every query over 0.5 ms

For each person and page bench.pages measures (the same targets, found the same way), it requests the
page in this process with Django's test client (one request first, not looked at, then the one read),
captures its SQL, and runs EXPLAIN (ANALYZE, BUFFERS) on every SELECT of it: the query with the longest
execution is printed with its plan. Only reads are explained, and EXPLAIN ANALYZE runs them once more:
nothing is written."""

from __future__ import annotations

import argparse
import os
import sys

from bench.pages import find_targets, people, setup_django


def _plans(sql: str, params) -> tuple[float, list[str]]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        plan = [row[0] for row in cursor.fetchall()]
    execution = next((line for line in plan if line.startswith("Execution Time:")), "Execution Time: 0 ms")
    return float(execution.split()[2]), plan


def explained(user, path: str) -> list[tuple[float, str, list[str]]]:
    """Every SELECT the page runs, as (milliseconds, SQL, plan), slowest first."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    client.get(path)
    captured: list[tuple[str, tuple]] = []

    def keep(execute, sql, params, many, context):
        captured.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(keep), CaptureQueriesContext(connection):
        response = client.get(path)
    if response.status_code != 200:
        raise SystemExit(f"{path}: HTTP {response.status_code}")
    results = []
    for sql, params in captured:
        if sql.lstrip("( ").upper().startswith("SELECT"):
            ms, plan = _plans(sql, params)
            results.append((ms, sql, plan))
    return sorted(results, key=lambda r: -r[0])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--all", action="store_true", help="every query over 0.5 ms, not only the slowest")
    parser.add_argument("--sql-chars", type=int, default=600, help="how much of each query to print")
    args = parser.parse_args(argv)
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        raise SystemExit("Set DATABASE_URL to the PostgreSQL database holding `manage.py seed_scale`.")
    setup_django()
    targets = find_targets()
    print("# The slowest query of each key page, and its plan\n")
    for note in targets.notes:
        print(f"- {note}")
    for person in people(targets):
        for page in person.pages:
            queries = explained(person.user, page.path)
            total = sum(ms for ms, _, _ in queries)
            print(f"\n## {person.role}: {page.name} (`{page.path}`)\n")
            print(
                f"{len(queries)} reads, {total:.1f} ms of execution in all (EXPLAIN ANALYZE's own figures).\n"
            )
            chosen = [q for q in queries if q[0] >= 0.5] if args.all else queries[:1]
            for ms, sql, plan in chosen:
                shown = sql if len(sql) <= args.sql_chars else sql[: args.sql_chars] + " …"
                print(f"{ms:.2f} ms:\n\n```sql\n{shown}\n```\n\n```\n" + "\n".join(plan) + "\n```\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
