"""Rewrite the dbt model property files (`models/**/_*__models.yml`) in the house YAML
style: block style, lists indented under their key, keys in the
order written, lines wrapped at 100 characters. `--check` lists files that differ.

    .venv/bin/python scripts/format_model_yaml.py [--check]
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

PROJECT_DIR = Path(__file__).resolve().parents[1]
LONG_TEXT = 70  # characters; longer text is folded onto its own lines
# Property files only: unit-test files keep their hand-aligned rows and comments.
# Model property files; sources, seeds, exposures and unit tests are written by hand in
# the same style (they hold templates, comments and aligned rows).
PATTERNS = ("models/**/_*__models.yml", "models/**/_*__pruning.yml")


class _IndentedListDumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _represent_text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    """Long text as a folded block (`>-`), wrapped; short text as it comes."""
    value = " ".join(value.split()) if "\n\n" not in value else value.strip()
    style = ">" if len(value) > LONG_TEXT else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_IndentedListDumper.add_representer(str, _represent_text)


def formatted(text: str) -> str:
    return yaml.dump(
        yaml.safe_load(text),
        Dumper=_IndentedListDumper,
        sort_keys=False,
        allow_unicode=True,
        width=100,
        indent=2,
    )


def property_files() -> list[Path]:
    return sorted({path for pattern in PATTERNS for path in PROJECT_DIR.glob(pattern)})


def main(argv: list[str]) -> int:
    check = "--check" in argv
    differing = []
    for path in property_files():
        text = path.read_text()
        if formatted(text) != text:
            differing.append(path.relative_to(PROJECT_DIR))
            if not check:
                path.write_text(formatted(text))
    for path in differing:
        print(f"{'would reformat' if check else 'reformatted'} {path}")
    return 1 if check and differing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
