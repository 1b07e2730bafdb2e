"""Shared fixtures: the corpus folder, the seed facts, and seed documents extracted once per session."""
from pathlib import Path

import os

import pytest
import yaml
from hypothesis import settings

# `make test` runs the same examples every time, on every machine (a failure must be reproducible);
# `make test-slow` explores new ones (TONGBAO_HYPOTHESIS=explore) and prints the blob that replays one.
settings.register_profile("fixed", derandomize=True, database=None, print_blob=True)
settings.register_profile("explore", derandomize=False, print_blob=True)
settings.load_profile(os.environ.get("TONGBAO_HYPOTHESIS", "fixed"))

from tongbao.pipeline import process_file

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
DATA = Path(__file__).resolve().parent / "data"
LIBREOFFICE = Path(__file__).resolve().parent / "fixtures" / "libreoffice"  # the seeds as DOCX → PDF by LibreOffice


@pytest.fixture(scope="session")
def seed_facts():
    return yaml.safe_load((DATA / "seed_facts.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def seed_docs_by_format():
    """Every seed read from its text, from its rendered PDF and from its LibreOffice PDF, keyed by
    format then by the text's name."""
    txt = {p.name: process_file(p) for p in sorted(CORPUS.glob("*.txt"))}
    pdf = {p.with_suffix(".txt").name: process_file(p) for p in sorted(CORPUS.glob("*.pdf"))}
    office = {p.name: process_file(LIBREOFFICE / f"{p.stem}.pdf") for p in sorted(CORPUS.glob("*.txt"))}
    return {"txt": txt, "pdf": pdf, "libreoffice": office}


@pytest.fixture(scope="session", params=["txt", "pdf", "libreoffice"])
def seed_docs(request, seed_docs_by_format):
    """The seeds in each format: a test of the seeds' facts runs on the text, the PDF and the LibreOffice PDF."""
    return seed_docs_by_format[request.param]
