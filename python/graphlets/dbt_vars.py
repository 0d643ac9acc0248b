"""`--var` and `--as-of`, checked before dbt starts.

The known vars and their types come from the defaults under `vars:` in dbt_project.yml
(one source of truth): a var whose default is a list takes a list of that kind, a number
takes a number, a boolean a boolean. A var whose default is null takes an ISO 8601
timestamp (`as_of`, `training_cutoff`).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import cache
from typing import Any

import yaml

from graphlets.errors import GraphletsError
from graphlets.paths import PROJECT_DIR


class VarError(GraphletsError):
    """A var that dbt must not see: unknown, or of the wrong type."""


@cache
def defaults() -> dict[str, Any]:
    """Every var the project knows, with its default (from dbt_project.yml)."""
    project = yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text())
    return dict(project.get("vars") or {})


def _type_name(default: Any) -> str:
    if default is None:
        return "an ISO 8601 timestamp"
    if isinstance(default, bool):
        return "true or false"
    if isinstance(default, int):
        return "a whole number"
    if isinstance(default, float):
        return "a number"
    if isinstance(default, list):
        kinds = {type(item) for item in default} or {str}
        return "a list of " + ("text values" if kinds == {str} else "values")
    return "text"


def _fits(value: Any, default: Any) -> bool:
    if default is None:
        return value is None or isinstance(value, str | date)
    if isinstance(default, bool):
        return isinstance(value, bool)
    if isinstance(default, int):
        return isinstance(value, int) and not isinstance(value, bool)
    if isinstance(default, float):
        return isinstance(value, int | float) and not isinstance(value, bool)
    if isinstance(default, list):
        kinds = {type(item) for item in default} or {str}
        return isinstance(value, list) and all(type(item) in kinds for item in value)
    return isinstance(value, str)


def parse_timestamp(name: str, text: str) -> str:
    """An ISO 8601 instant, with or without an offset, as a naive UTC timestamp string
    (what the SQL compares with the store's UTC epoch milliseconds)."""
    try:
        instant = datetime.fromisoformat(text.strip())
    except ValueError:
        raise VarError(
            f"{name}: {text!r} is not an ISO 8601 timestamp "
            "(e.g. 2024-03-01T00:00:00 or 2024-03-01T05:00:00+05:00)"
        ) from None
    if instant.tzinfo is not None:
        instant = instant.astimezone(UTC).replace(tzinfo=None)
    return instant.isoformat(sep=" ", timespec="milliseconds")


def parse(pairs: list[str]) -> dict[str, Any]:
    """`NAME=VALUE` pairs (VALUE read as YAML) as checked dbt vars; raise VarError with
    one line per bad pair."""
    known = defaults()
    variables: dict[str, Any] = {}
    problems: list[str] = []
    for pair in pairs:
        name, sep, text = pair.partition("=")
        name = name.strip()
        if not sep:
            problems.append(f"--var takes NAME=VALUE, not {pair!r}")
            continue
        if name not in known:
            problems.append(f"unknown var {name!r}; known vars: {', '.join(sorted(known))}")
            continue
        try:
            value = yaml.safe_load(text) if text.strip() else None
        except yaml.YAMLError:
            value = text
        default = known[name]
        if not _fits(value, default):
            problems.append(f"var {name}: {text!r} is not {_type_name(default)}")
            continue
        if default is None and value is not None:
            try:
                value = parse_timestamp(f"var {name}", str(text))
            except VarError as error:
                problems.append(str(error))
                continue
        variables[name] = value
    if problems:
        raise VarError("\n".join(problems))
    return variables
