"""Query building blocks the ORM lacks, for the pages that read the most rows."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from django.db import connection
from django.db.models import BooleanField, Expression, F, Func, QuerySet, Subquery
from django.utils import timezone

T = TypeVar("T")


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


# Queries built once, run for anyone ----------------------------------------------------------------------
#
# Building and compiling a query with the ORM costs far more than running it when the query is a long one
# such as the home page's "waiting for you" (a UNION of one part per kind of thing a person may be asked):
# most of that list's time was Python assembling the same SQL for every request. A query built with
# `Param`s in place of the values that change from one person or day to the next compiles to the same SQL
# every time, so it is compiled once per process (`shaped`) and run with the values bound (`bound`).
# The rule it encodes is still written once, with the ORM, where it lives.


class Param(Expression):
    """A value of the query given when it runs rather than when it is built: `values[name]` (a mapping
    passed to `bound`), prepared as `output_field` prepares a value for the database. In the compiled SQL
    it is a placeholder, and among the parameters the Param itself until `bound` replaces it."""

    def __init__(self, name: str, output_field) -> None:
        super().__init__(output_field=output_field)
        self.name = name

    def __repr__(self) -> str:
        return f"Param({self.name!r})"

    def value(self, values: Mapping) -> object:
        return values[self.name]

    def bind(self, values: Mapping, connection) -> object:
        return self.output_field.get_db_prep_value(self.value(values), connection, prepared=False)

    def as_sql(self, compiler, connection):
        return "%s", [self]

    def get_group_by_cols(self):
        return []


class IdsParam(Param):
    """A list of integer ids given when the query runs (`values[name]`), for `InParam`."""

    def __init__(self, name: str) -> None:
        super().__init__(name, output_field=BooleanField())

    def bind(self, values: Mapping, connection) -> object:
        ids = [int(pk) for pk in self.value(values)]
        # PostgreSQL takes the list as an array; SQLite reads it back from JSON text (json_each).
        return ids if connection.vendor == "postgresql" else json.dumps(ids)


class InParam(Func):
    """`column IN (ids)` for ids given when the query runs (an `IdsParam`): `column = ANY(%s)` with one
    array parameter on PostgreSQL, as `InIds` writes it; `column IN (SELECT value FROM json_each(%s))`
    elsewhere. An empty list matches nothing."""

    conditional = True
    output_field = BooleanField()

    def __init__(self, column: str, ids: IdsParam) -> None:
        super().__init__(F(column))
        self.ids = ids

    def as_sql(self, compiler, connection, **extra):
        column_sql, params = compiler.compile(self.get_source_expressions()[0])
        # The column's SQL is the ORM's own; the ids are a parameter.
        return f"{column_sql} IN (SELECT value FROM json_each(%s))", (*params, self.ids)  # noqa: S608  # nosec B608

    def as_postgresql(self, compiler, connection, **extra):
        column_sql, params = compiler.compile(self.get_source_expressions()[0])
        return f"{column_sql} = ANY(%s)", (*params, self.ids)


_shapes: dict[tuple, object] = {}


def shaped(key: tuple, build: Callable[[], T]) -> T:
    """What `build` gives for `key` (a query's name and whatever decides its shape, such as which parts a
    UNION has), built once per process and database: a query whose values are `Param`s, bound when it runs
    (`bound`), so that one compiled text serves everyone."""
    # The database and the time zone are compiled into the text (dates truncated in the current time zone).
    key = (connection.vendor, timezone.get_current_timezone_name(), *key)
    found = _shapes.get(key)
    if found is None:
        found = _shapes[key] = build()
    return found  # type: ignore[return-value]


def bound(params: Sequence, values: Mapping) -> list:
    """The parameters of a `shaped` query with each `Param` replaced by its value from `values`."""
    return [p.bind(values, connection) if isinstance(p, Param) else p for p in params]


class Row:
    """One row of a `ValuesShape`: each name an attribute, a name with "__" a nested one (`lead_board__name`
    is `row.lead_board.name`), as templates read a model instance and its related rows."""

    def __init__(self, **values: object) -> None:
        self.__dict__.update(values)

    def __repr__(self) -> str:
        return f"Row({self.__dict__!r})"


@dataclass(frozen=True)
class ValuesShape:
    """A values() query compiled once (`values_shape`): its SQL and parameters, the names of its columns, and
    what converts each column's value from the database as Django's own iteration would."""

    sql: str
    params: tuple
    names: tuple[tuple[str, ...], ...]  # each column's name, split on "__"
    converters: dict

    def rows(self, values: Mapping) -> list[Row]:
        """The query's rows for `values` (one query)."""
        with connection.cursor() as cursor:
            cursor.execute(self.sql, bound(self.params, values))
            fetched = cursor.fetchall()
        return [self._row(row) for row in fetched]

    def tuples(self, values: Mapping, *, limit: int | None = None, offset: int = 0) -> list[tuple]:
        """The query's rows for `values` as tuples, converted as `rows` converts them (one query); `limit` rows
        from `offset` when given, as parameters, so that every page of a list shares one compiled text."""
        sql, params = self.sql, bound(self.params, values)
        if limit is not None:
            sql, params = f"{sql} LIMIT %s OFFSET %s", [*params, limit, offset]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            fetched = cursor.fetchall()
        if not self.converters:
            return fetched
        return [self._converted(row) for row in fetched]

    def _converted(self, values: tuple) -> tuple:
        values = list(values)
        for position, (functions, expression) in self.converters.items():
            for convert in functions:
                values[position] = convert(values[position], expression, connection)
        return tuple(values)

    def _row(self, values: tuple) -> Row:
        values = self._converted(values) if self.converters else values
        row = Row()
        for path, value in zip(self.names, values, strict=True):
            target = row
            for part in path[:-1]:
                target = target.__dict__.setdefault(part, Row())
            setattr(target, path[-1], value)
        return row


def values_shape(key: tuple, build: Callable[[], QuerySet]) -> ValuesShape:
    """The values() query `build` makes (with `Param`s for what changes from one run to the next), compiled
    once per process and database for `key`."""

    def compiled() -> ValuesShape:
        queryset = build()
        query = queryset.query
        compiler = query.get_compiler(queryset.db)
        sql, params = compiler.as_sql()
        columns = [selected[0] for selected in compiler.select[: compiler.col_count]]
        names = (*query.extra_select, *query.values_select, *query.annotation_select)
        return ValuesShape(
            sql, tuple(params), tuple(tuple(n.split("__")) for n in names), compiler.get_converters(columns)
        )

    return shaped(("values", *key), compiled)
