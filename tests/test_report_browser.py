"""The audit report opened in headless Chromium: the findings are on the rendered page, and a screenshot is taken.

Run with `make test-browser` (installs Debian's chromium when it is missing).
"""
import shutil
import subprocess
from pathlib import Path

import pytest

from tongbao.export.report import write_report
from tongbao.pipeline import process_file
from tongbao.render.examples import examples
from tongbao.render.pdf import render_pdf

pytestmark = pytest.mark.browser
CORPUS = Path(__file__).resolve().parent.parent / "corpus"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--hide-scrollbars"]


def _chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    if CHROMIUM is None:
        pytest.fail("chromium is not installed: run `make test-browser`, which installs it")
    return subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", *args],
                          capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    folder = tmp_path_factory.mktemp("report")
    spec = examples()["score"]
    spec.tables[0].rows[0][-1] = "999"  # a total that cannot be right
    pdf = render_pdf(spec, folder / "score_with_error.pdf")
    docs = [process_file(p) for p in [pdf, *sorted(CORPUS.glob("*.txt"))]]
    path = write_report(docs, folder / "report.html")
    return path, docs


def test_findings_are_on_the_rendered_page(report, tmp_path):
    path, docs = report
    dom = _chromium(tmp_path, "--dump-dom", path.as_uri()).stdout
    assert "tongbao 审计报告" in dom
    errors = [f for d in docs for f in d.findings if f.severity == "error"]
    assert errors
    for f in errors:
        assert f.message.replace("<", "&lt;").replace(">", "&gt;") in dom
    assert dom.count("<img") >= 1  # the PDF finding shows its page region


def test_screenshot(report, tmp_path):
    path, _ = report
    shot = tmp_path / "report.png"
    _chromium(tmp_path, f"--screenshot={shot}", "--window-size=1400,2000", path.as_uri())
    assert shot.exists() and shot.stat().st_size > 20_000
    from PIL import Image
    with Image.open(shot) as img:
        assert img.size == (1400, 2000)
        colours = img.convert("RGB").getcolors(maxcolors=1 << 20)
        assert colours and len(colours) > 50  # text and tables were drawn, not a blank page
