"""The audit report opened in headless Chromium: the findings are on the rendered page, the filters and
the search box work on a batch of 151 files, the page stays short, and screenshots are taken.

Run with `make test-browser` (installs Debian's chromium when it is missing). Chromium is driven
without network or DevTools: each view is a URL fragment (`#sev=error&check=row_sum`) or a small
probe script appended to a copy of the report, and the DOM is read back with --dump-dom.
Screenshots (1400 px wide) are left in the test's tmp dir.
"""
import json
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from tongbao.export import report as report_module
from tongbao.export.page_images import FOCUS
from tongbao.export.report import write_report
from tongbao.pipeline import process_file
from tongbao.render.examples import examples
from tongbao.render.pdf import render_pdf

from test_report import find, parse, text, write_batch

pytestmark = pytest.mark.browser
CORPUS = Path(__file__).resolve().parent.parent / "corpus"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--hide-scrollbars"]
WIDTH = 1400
HEIGHT_BOUND = 15_000  # CSS pixels: the 151-file report's page, as opened (most sections collapsed), at 1400 px wide


def _chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    if CHROMIUM is None:
        pytest.fail("chromium is not installed: run `make test-browser`, which installs it")
    profile = tempfile.mkdtemp(prefix="profile-", dir=tmp_path)  # a fresh profile for every run
    return subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args],
                          capture_output=True, text=True, timeout=180)


def _dom(tmp_path: Path, url: str) -> dict:
    out = _chromium(tmp_path, f"--window-size={WIDTH},1000", "--dump-dom", url)
    assert "tongbao 审计报告" in out.stdout, out.stderr[-2000:]
    return parse(out.stdout)


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    folder = tmp_path_factory.mktemp("report")
    spec = examples()["score"]
    spec.tables[0].rows[0][-1] = "999"  # a total that cannot be right
    pdf = render_pdf(spec, folder / "score_with_error.pdf")
    docs = [process_file(p) for p in [pdf, *sorted(CORPUS.glob("*.txt"))]]
    path = write_report(docs, folder / "report.html")
    return path, docs


@pytest.fixture(scope="module")
def batch_report(tmp_path_factory):
    """The report of 151 files (tests/test_report.py's batch: examples, development set, corpus, 3 unreadable)."""
    folder = tmp_path_factory.mktemp("batch")
    docs = [process_file(p) for p in write_batch(folder / "files")]
    path = write_report(docs, folder / "report.html")
    static = parse(path.read_text(encoding="utf-8"))
    return path, docs, static


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
    _assert_drawn(shot, (1400, 2000))


# the report of a batch


def _items(root) -> list[dict]:
    return find(root, None, class_="finding")  # a finding's tbody, or the failure of a file


def _visible(root) -> list[dict]:
    """The findings shown: not hidden, in a section not hidden."""
    out = []
    for section in find(root, "details", class_="doc"):
        if "hidden" in section["attrs"]:
            continue
        out += [t for t in _items(section) if "hidden" not in t["attrs"]]
    return out


def _expected(static, sev=None, check=None, doc=None, q=None) -> list[str]:
    """What the filters should show, worked out from the report as written: (doc, severity, check) per finding."""
    out = []
    for section in find(static, "details", class_="doc"):
        named = bool(q) and q.lower() in section["attrs"]["data-name"].lower()
        for t in _items(section):
            a = t["attrs"]
            if ((sev is None or a["data-sev"] in sev) and (check is None or a["data-check"] == check)
                    and (doc is None or section["attrs"]["data-doc"] == doc)
                    and (not q or named or q.lower() in text(t).lower())):
                out.append((section["attrs"]["data-doc"], a["data-sev"], a["data-check"]))
    return out


def _shown(root) -> tuple[int, int]:
    (span,) = find(root, "span", id="shown")
    return int(span["attrs"]["data-findings"]), int(span["attrs"]["data-docs"])


def _check_view(root, expected) -> None:
    visible = _visible(root)
    sections = [s for s in find(root, "details", class_="doc") if "hidden" not in s["attrs"]]
    got = [(s["attrs"]["data-doc"], t["attrs"]["data-sev"], t["attrs"]["data-check"])
           for s in sections for t in _items(s) if "hidden" not in t["attrs"]]
    assert got == expected
    assert len(visible) == len(expected)
    assert {s["attrs"]["data-doc"] for s in sections} == {e[0] for e in expected}
    assert all("open" in s["attrs"] for s in sections)  # a filter opens what it matches
    assert _shown(root) == (len(expected), len({e[0] for e in expected}))
    rows = [tr for tr in find(find(root, "table", id="by-doc")[0], "tr") if "data-doc" in tr["attrs"]]
    assert {tr["attrs"]["data-doc"] for tr in rows if "hidden" not in tr["attrs"]} == {e[0] for e in expected}


def test_opened_as_written(batch_report, tmp_path):
    path, docs, static = batch_report
    root = _dom(tmp_path, path.as_uri())
    assert len(_visible(root)) == len(_items(static)) == sum(len(d.findings) for d in docs) + 3
    assert _shown(root) == (len(_items(static)), len(docs))
    opened = [s for s in find(root, "details", class_="doc") if "open" in s["attrs"]]
    assert len(opened) == report_module.OPEN_SECTIONS


@pytest.mark.parametrize("fragment, want", [
    ("sev=error", dict(sev={"error"})),
    ("sev=failed", dict(sev={"failed"})),
    ("sev=error,warning&check=row_sum", dict(sev={"error", "warning"}, check="row_sum")),
    ("check=percentage", dict(check="percentage")),
    ("q=%E5%B8%82%E6%B0%B4%E5%88%A9%E5%B1%80", dict(q="市水利局")),  # a department
    ("q=truncated.pdf", dict(q="truncated.pdf")),  # a file name
    ("sev=error&q=%E5%90%88%E8%AE%A1", dict(sev={"error"}, q="合计")),
])
def test_filters_and_search_from_the_url(batch_report, tmp_path, fragment, want):
    path, docs, static = batch_report
    expected = _expected(static, **want)
    assert expected, fragment  # the view is not empty
    _check_view(_dom(tmp_path, f"{path.as_uri()}#{fragment}"), expected)
    if want.get("sev") == {"failed"}:
        assert len(expected) == 3


def test_document_filter_from_the_url(batch_report, tmp_path):
    path, docs, static = batch_report
    doc = max((d for d in docs if d.format == "pdf"), key=lambda d: sum(f.severity == "error" for f in d.findings))
    expected = _expected(static, doc=doc.doc_id[:12])
    assert len(expected) == len(doc.findings)
    root = _dom(tmp_path, f"{path.as_uri()}#doc={doc.doc_id[:12]}")
    _check_view(root, expected)
    (section,) = [s for s in find(root, "details", class_="doc") if "hidden" not in s["attrs"]]
    assert find(section, "img")  # its page images are there


PROBE = r"""
<script>
window.addEventListener('load', function(){
  var out = {}, shown = document.getElementById('shown');
  function state(name){ out[name] = {hash: location.hash, findings: +shown.getAttribute('data-findings'), docs: +shown.getAttribute('data-docs')}; }
  out.height = document.documentElement.scrollHeight; out.width = document.documentElement.scrollWidth;
  var q = document.getElementById('f-q'); q.value = '合计'; q.dispatchEvent(new Event('input')); state('typed');
  var check = document.getElementById('f-check'); check.value = 'column_sum'; check.dispatchEvent(new Event('change')); state('check');
  document.querySelector('#filters input[value=info]').click(); state('no_info');
  document.getElementById('f-clear').click(); state('cleared');
  document.querySelector('#by-check a[data-set="check=row_sum"]').click(); state('by_check_link');
  document.getElementById('f-clear').click();
  var th = document.querySelectorAll('#by-doc th')[4]; th.click(); th.click();  // 错误, descending
  out.top_by_errors = document.querySelector('#by-doc tbody tr').getAttribute('data-doc');
  out.expanded_height = (function(){ [].forEach.call(document.querySelectorAll('details.doc'), function(d){ d.open = true; });
                                     return document.documentElement.scrollHeight; })();
  var pre = document.createElement('pre'); pre.id = 'probe'; pre.textContent = JSON.stringify(out); document.body.appendChild(pre);
});
</script>
"""


def test_controls_drive_the_filters_and_the_page_stays_short(batch_report, tmp_path):
    path, docs, static = batch_report
    probe = tmp_path / "probe.html"
    probe.write_text(path.read_text(encoding="utf-8") + PROBE, encoding="utf-8")
    root = _dom(tmp_path, probe.as_uri())
    (pre,) = find(root, "pre", id="probe")
    out = json.loads(text(pre))
    total = len(_items(static))
    assert out["typed"] == {"hash": "#q=%E5%90%88%E8%AE%A1", "findings": len(_expected(static, q="合计")),
                            "docs": len({e[0] for e in _expected(static, q="合计")})}
    assert out["check"]["hash"] == "#check=column_sum&q=%E5%90%88%E8%AE%A1"
    assert out["check"]["findings"] == len(_expected(static, check="column_sum", q="合计")) > 0
    assert out["no_info"]["hash"] == "#sev=error,warning,failed&check=column_sum&q=%E5%90%88%E8%AE%A1"
    assert out["cleared"]["findings"] == total and out["cleared"]["docs"] == len(docs)
    assert out["by_check_link"] == {"hash": "#check=row_sum", "findings": len(_expected(static, check="row_sum")),
                                    "docs": len({e[0] for e in _expected(static, check="row_sum")})}
    most = max(docs, key=lambda d: (d.status == "ok", sum(f.severity == "error" for f in d.findings)))
    assert out["top_by_errors"] in {d.doc_id[:12] for d in docs
                                    if sum(f.severity == "error" for f in d.findings) == sum(f.severity == "error" for f in most.findings)}
    assert out["width"] <= WIDTH  # nothing wider than the window
    assert out["height"] < HEIGHT_BOUND < out["expanded_height"]
    (tmp_path / "height.json").write_text(json.dumps({k: out[k] for k in ("height", "expanded_height", "width")}))


def _assert_drawn(shot: Path, size: tuple[int, int], min_bytes: int = 20_000):
    from PIL import Image

    assert shot.exists() and shot.stat().st_size > min_bytes
    with Image.open(shot) as img:
        assert img.size == size
        rgb = img.convert("RGB")
        colours = rgb.getcolors(maxcolors=1 << 20)
        assert colours and len(colours) > 50  # text and tables were drawn, not a blank page
        ink = sum(n for n, c in colours if sum(c) < 600)
        assert ink > 0.01 * size[0] * size[1]
        return {c for _, c in colours}


@pytest.mark.parametrize("name, fragment, height", [
    ("batch", "", 2000),  # as opened: the summaries, the first sections
    ("errors", "#sev=error&check=column_sum", 3000),  # filtered: the column sums' page images
    ("failed", "#sev=failed", 1400),  # the files that could not be read
])
def test_batch_screenshots(batch_report, tmp_path, name, fragment, height):
    path, docs, _ = batch_report
    shot = tmp_path / f"report_{name}.png"
    _chromium(tmp_path, f"--screenshot={shot}", f"--window-size={WIDTH},{height}", "--virtual-time-budget=5000",
              path.as_uri() + fragment)
    colours = _assert_drawn(shot, (WIDTH, height))
    if name == "errors":
        assert FOCUS in colours  # a page image with its marked total is on screen
