"""Small invented bulletins for the audit's tests: a text read by tongbao's text reader and checked."""
from __future__ import annotations

from tongbao.check import run_checks
from tongbao.extract.text import read_text
from tongbao.model import Document, Finding


def audit(text: str) -> Document:
    """The bulletin `text` read as a .txt file and checked."""
    doc = Document(doc_id="5" * 64, source_path="bulletin.txt", format="txt")
    return run_checks(read_text(text.encode("utf-8"), doc))


def results(doc: Document, check: str, severity: str | None = None) -> list[Finding]:
    """Every check of that name run on the document (verified ones too), of one severity if given."""
    return [c for c in doc.checks if c.check == check and (severity is None or c.severity == severity)]


def errors(doc: Document) -> list[Finding]:
    return [f for f in doc.findings if f.severity == "error"]


def bulletin(body: str, title: str = "清水市12345热线2024年5月运行情况通报", issued: str = "2024年6月5日") -> str:
    """A bulletin around `body`: issuer line, title, document number, body, signature and date."""
    return f"清水市12345政务服务便民热线管理中心\n{title}\n清热线〔2024〕6号\n\n{body.strip()}\n清水市12345政务服务便民热线管理中心\n{issued}\n"
