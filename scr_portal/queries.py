"""Query building blocks the ORM lacks, for the pages that read the most rows."""

from __future__ import annotations

from django.db.models import BooleanField, F, Func, QuerySet, Subquery


class InSubquery(Func):
    """`column IN (subquery)`, written on PostgreSQL as `column = ANY(ARRAY(subquery))`.

    PostgreSQL runs the subquery once, before the outer query, and looks its ids up in the column's index;
    beside another condition on an indexed column (`lead_board_id IN (...) OR id = ANY(...)`) it combines
    the two index scans. A plain `IN (subquery)` inside an OR becomes a filter over every row of the table
    instead: a national installation's 6,000 reviews read to find a board's 400, on every page. Other
    databases get the plain `IN`."""

    conditional = True
    output_field = BooleanField()

    def __init__(self, column: str, subquery: QuerySet) -> None:
        super().__init__(F(column), Subquery(subquery.order_by()))

    def as_sql(self, compiler, connection, **extra):
        column, subquery = self.get_source_expressions()
        column_sql, column_params = compiler.compile(column)
        subquery_sql, subquery_params = compiler.compile(subquery)
        return f"{column_sql} IN {subquery_sql}", (*column_params, *subquery_params)

    def as_postgresql(self, compiler, connection, **extra):
        column, subquery = self.get_source_expressions()
        column_sql, column_params = compiler.compile(column)
        subquery_sql, subquery_params = compiler.compile(subquery)
        return f"{column_sql} = ANY(ARRAY{subquery_sql})", (*column_params, *subquery_params)


class InIds(Func):
    """`column IN (ids)` for a list of integer ids known before the query, written on PostgreSQL as
    `column = ANY(%s)` with the list as one array parameter.

    The planner sees the ids themselves (it estimates a board's 400 reviews' actions right, where a
    subquery's would be a guess), and Django prepares one parameter instead of one per id: a board's plan
    names its hundreds of reviews in each of its queries."""

    conditional = True
    output_field = BooleanField()

    def __init__(self, column: str, ids) -> None:
        super().__init__(F(column))
        self.ids = [int(pk) for pk in ids]

    def as_sql(self, compiler, connection, **extra):
        column_sql, params = compiler.compile(self.get_source_expressions()[0])
        if not self.ids:
            return "1 = 0", ()
        return f"{column_sql} IN ({', '.join(['%s'] * len(self.ids))})", (*params, *self.ids)

    def as_postgresql(self, compiler, connection, **extra):
        column_sql, params = compiler.compile(self.get_source_expressions()[0])
        return f"{column_sql} = ANY(%s)", (*params, self.ids)
