"""YAML data files (the registry, rules) read with libyaml's C loader when PyYAML has it: the pure
Python loader takes a third of a second on the department registry, at every process start."""
from __future__ import annotations

from pathlib import Path

import yaml

SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml_text(text: str):
    """The data in a YAML string (safe types only)."""
    return yaml.load(text, Loader=SafeLoader)  # noqa: S506 - a safe loader, C or Python


def load_yaml(path: str | Path):
    """The data in a YAML file (UTF-8, safe types only)."""
    return load_yaml_text(Path(path).read_text(encoding="utf-8"))
