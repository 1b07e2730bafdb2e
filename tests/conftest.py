"""Shared fixtures: the corpus folder, the seed facts, and seed documents extracted once per session."""
from pathlib import Path

import os

import pytest
import yaml
from hypothesis import settings

# CI runs the same examples every time (a failure there must be reproducible); locally they vary.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

from tongbao.pipeline import process_file

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def seed_facts():
    return yaml.safe_load((DATA / "seed_facts.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def seed_docs():
    return {p.name: process_file(p) for p in sorted(CORPUS.glob("*.txt"))}
