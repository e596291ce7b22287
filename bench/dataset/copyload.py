"""COPY rows into a model's table, filling the columns a generator does not know from the model.

A generator names the columns it writes; every other NOT NULL column of the model gets its
Django default (Django keeps defaults in Python, not in the database), its auto_now value, or an
empty string for a blank text field. A column added to a model later therefore does not break the
load, and a column nobody can fill is reported by name before any row is sent.
"""

import json
from datetime import UTC, datetime

from django.db import models


class UnknownColumn(Exception):
    """A NOT NULL column with no default the generator could fill."""


def _filler(field, now):
    """A function giving the value of a column the generator does not write, per row."""
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return lambda: now
    if field.has_default():
        if callable(field.default):
            # A callable default may be unique (a storage key, a token): call it for each row.
            return lambda: _adapt(field, field.get_default())
        value = _adapt(field, field.get_default())
        return lambda: value
    if field.null:
        return lambda: None
    if field.blank and isinstance(field, models.CharField | models.TextField):
        return lambda: ""
    raise UnknownColumn(f"{field.model._meta.db_table}.{field.column} has no default to fill")


def _adapt(field, value):
    if isinstance(field, models.JSONField):
        return json.dumps(value)
    return value


class ModelCopy:
    """One COPY of rows into a model's table on a psycopg 3 connection (rows as tuples)."""

    def __init__(self, connection, model, columns: list[str], now: datetime | None = None):
        self.model = model
        self.table = model._meta.db_table
        now = now or datetime.now(UTC)
        known = set(columns)
        fields = [
            f for f in model._meta.concrete_fields if f.column not in known and not f.primary_key
        ]
        for name in columns:
            model._meta.get_field(self._field_name(name))  # a typo fails here, not in COPY
        self.fillers = [_filler(f, now) for f in fields]
        self.columns = list(columns) + [f.column for f in fields]
        self.json_positions = [
            i
            for i, name in enumerate(columns)
            if isinstance(model._meta.get_field(self._field_name(name)), models.JSONField)
        ]
        self.connection = connection
        self.count = 0
        self._context = None
        self._copy = None

    def _field_name(self, column: str) -> str:
        for field in self.model._meta.concrete_fields:
            if field.column == column:
                return field.name
        raise UnknownColumn(f"{self.table} has no column {column}")

    def __enter__(self):
        cursor = self.connection.cursor()
        columns = ", ".join(f'"{c}"' for c in self.columns)  # "end", "start" are SQL words
        statement = f'COPY "{self.table}" ({columns}) FROM STDIN'  # noqa: S608
        self._context = cursor.copy(statement)
        self._copy = self._context.__enter__()
        return self

    def write(self, row: tuple) -> None:
        if self.json_positions:
            row = list(row)
            for i in self.json_positions:
                row[i] = json.dumps(row[i])
        if self.fillers:
            row = (*row, *(fill() for fill in self.fillers))
        self._copy.write_row(row)
        self.count += 1

    def __exit__(self, *exc):
        return self._context.__exit__(*exc)


def constant_defaults(model, known: list[str], now: datetime) -> list[tuple[str, object]]:
    """(column, value) for each NOT NULL column of model not in known, for an INSERT … SELECT."""
    out = []
    for field in model._meta.concrete_fields:
        if field.column in known or field.primary_key:
            continue
        if field.null:
            continue
        out.append((field.column, _filler(field, now)()))
    return out
