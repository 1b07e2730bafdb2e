"""Encodings and scripts: every encoding a text bulletin comes in reads like its UTF-8 twin, bytes that give no
plausible Chinese become a `failed` row, and traditional characters are compared in simplified form."""
from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from tongbao.errors import ExtractionError
from tongbao.extract import encoding, read_document
from tongbao.extract.encoding import decode_text, plausibility
from tongbao.extract.html import decode_html
from tongbao.model import Metadata
from tongbao.normalize.departments import DepartmentMatcher, load_user_aliases
from tongbao.normalize.names import match_key, parse_name
from tongbao.normalize.script import Backmap, aligned_simplified, has_traditional, to_simplified
from tongbao.pipeline import process_file, run_batch

DEVSET = Path(__file__).resolve().parent / "data" / "devset"
TWINS = [("003.gb18030.txt", "003.txt", "gb18030"), ("007.gb18030.txt", "007.txt", "gb18030"),
         ("009.big5.txt", "009.txt", "big5"), ("005.utf16.txt", "005.txt", "utf-16")]
META_FIELDS = ("issuer", "doc_number", "title", "issue_date", "period_label", "province", "city")
SIMPLIFIED_FIELDS = ("issuer", "province", "city", "district", "doc_number", "title")


def _truth(doc_id: str) -> dict:
    return json.loads((DEVSET / f"{doc_id}.truth.json").read_text(encoding="utf-8"))


def _utf8(name: str) -> str:
    return (DEVSET / name).read_text(encoding="utf-8")


def _cells(doc):
    return [[(c.row_label, c.header_path, c.text, c.raw, c.value) for c in row] for t in doc.tables for row in t.rows]


def _meta(doc):
    return {f.name: getattr(doc, f.name) for f in Metadata.__dataclass_fields__.values()}


# ---------------------------------------------------------------- the development set's encoded copies


@pytest.mark.parametrize("encoded, twin, expected", TWINS)
def test_encoded_copy_reads_exactly_like_its_utf8_twin(encoded, twin, expected):
    data = (DEVSET / encoded).read_bytes()
    text, found = decode_text(data)
    assert found == expected
    assert text == _utf8(twin)  # the same characters, line breaks included
    a, b = process_file(DEVSET / encoded), process_file(DEVSET / twin)
    assert a.status == b.status == "ok", (a.error, b.error)
    assert a.text == b.text
    assert _meta(a) == _meta(b)
    assert _cells(a) == _cells(b) and [t.title for t in a.tables] == [t.title for t in b.tables]
    assert [(f.text, f.start, f.end, f.entity_raw) for f in a.figures] == \
        [(f.text, f.start, f.end, f.entity_raw) for f in b.figures]
    assert [(f.check, f.severity, f.expected, f.reported) for f in a.checks] == \
        [(f.check, f.severity, f.expected, f.reported) for f in b.checks]


def test_frequency_list_ships_with_the_package():
    ranks = encoding.hanzi_ranks()
    assert max(ranks.values()) == 3500 and ranks["的"] <= 100 and ranks["局"] <= 1000
    assert ranks["國"] == ranks["国"] and ranks["稅"] == ranks["税"] and ranks["醫"] == ranks["医"]
    pyproject = (Path(__file__).resolve().parent.parent / "pyproject.toml").read_text(encoding="utf-8")
    assert '"data/*.txt"' in pyproject  # installed with the package, not only in the source tree


def test_big5_copy_is_not_read_as_gb18030_mojibake():
    data = (DEVSET / "009.big5.txt").read_bytes()
    mojibake = data.decode("gb18030")  # GB18030 accepts these bytes: only plausibility tells them apart
    assert not plausibility(mojibake).ok
    assert plausibility(data.decode("big5")).ok
    assert plausibility(data.decode("big5")).score > plausibility(mojibake).score + 0.5


@pytest.mark.parametrize("name", [f"{n:03d}.txt" for n in range(1, 11)])
def test_every_devset_text_in_gbk_stays_gbk(name, monkeypatch):
    """GB18030/GBK is as common as UTF-8: a GBK copy of every bulletin is read as GB18030, never as Big5,
    and clearly enough that the detector is not even asked."""
    monkeypatch.setattr(encoding, "_detected", lambda data: pytest.fail("detector consulted on a clear text"))
    text = _utf8(name)
    assert decode_text(text.encode("gbk")) == (text, "gb18030")
    assert decode_text(text.encode("utf-8")) == (text, "utf-8")
    assert decode_text(text.encode("utf-8-sig")) == (text, "utf-8")


@pytest.mark.parametrize("words", ["市人社局", "中文", "办件量合计", "这是一段没有表格也没有数字的文字。", "2023年\t合计\t100",
                                   "市场监管局、住建局", "单位\t工单数\t得分"])
def test_short_gb_texts_are_gb18030(words):
    assert decode_text(words.encode("gb18030")) == (words, "gb18030")


@pytest.mark.parametrize("words", ["市場監管局", "公積金中心", "醫保局", "國家稅務總局蕪湖市稅務局"])
def test_short_big5_texts_are_big5(words):
    assert decode_text(words.encode("big5")) == (words, "big5")


@pytest.mark.parametrize("codec, bom", [("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff"),
                                        ("utf-32-le", b"\xff\xfe\x00\x00"), ("utf-32-be", b"\x00\x00\xfe\xff")])
@pytest.mark.parametrize("name", ["003.txt", "009.txt"])
def test_wide_unicode_with_and_without_byte_order_mark(codec, bom, name):
    text = _utf8(name)
    assert decode_text(bom + text.encode(codec)) == (text, codec[:6])
    assert decode_text(text.encode(codec)) == (text, codec)  # no mark: the NUL bytes' pattern shows it


def test_utf16_copy_is_no_longer_binary():
    doc = read_document(DEVSET / "005.utf16.txt")
    assert doc.status == "ok" and doc.tables, doc.error


# ---------------------------------------------------------------- refused: no plausible Chinese


def _random_pairs(seed: int, leads: range, trails: list[int], n: int = 3000) -> bytes:
    """Random two-byte characters with the digits, tabs and line breaks of a table, so the file is not binary."""
    rnd = random.Random(seed)
    out = bytearray()
    for i in range(n):
        out += bytes([rnd.choice(leads), rnd.choice(trails)])
        if i % 20 == 19:
            out += f"\t{rnd.randint(0, 9999)}\n".encode("ascii")
    return bytes(out)


RANDOM_CJK = {
    "gb2312-hanzi.txt": _random_pairs(1, range(0xB0, 0xF8), list(range(0xA1, 0xFF))),  # every pair a GB2312 character
    "gb2312-level1.txt": _random_pairs(2, range(0xB0, 0xD8), list(range(0xA1, 0xFF))),  # only the 3755 commonest
    "gbk.txt": _random_pairs(3, range(0x81, 0xFF), [b for b in range(0x40, 0xFF) if b != 0x7F]),
    "big5-common.txt": _random_pairs(4, range(0xA4, 0xC7), list(range(0x40, 0x7F)) + list(range(0xA1, 0xFF))),
    "big5.txt": _random_pairs(5, range(0xA1, 0xFA), list(range(0x40, 0x7F)) + list(range(0xA1, 0xFF))),
}


def test_random_bytes_in_cjk_ranges_are_failed_rows(tmp_path):
    for name, data in RANDOM_CJK.items():
        (tmp_path / name).write_bytes(data)
    (tmp_path / "good.txt").write_bytes((DEVSET / "009.big5.txt").read_bytes())
    batch = run_batch([tmp_path], scheduler="serial")
    docs = {Path(d.source_path).name: d for d in batch.documents}
    for name in RANDOM_CJK:
        assert docs[name].status == "failed", (name, docs[name].text[:40])
        assert docs[name].error.startswith("implausible text: no encoding gives plausible Chinese"), docs[name].error
        assert not docs[name].tables and not docs[name].text
    assert "rare ones, outside the 3500 commonest" in docs["gb2312-hanzi.txt"].error
    assert "among the 1000 commonest, as in random bytes" in docs["gb2312-level1.txt"].error
    assert "private-use, unassigned or control code points" in docs["gbk.txt"].error
    assert docs["good.txt"].status == "ok" and docs["good.txt"].city == "蕪湖市"
    frame = batch.frames["documents"].set_index("source_path")
    assert (frame.loc[[str(tmp_path / n) for n in RANDOM_CJK], "status"] == "failed").all()


def test_random_cjk_in_unicode_is_refused_too():
    rnd = random.Random(6)
    text = "".join(chr(rnd.randint(0x4E00, 0x9FFF)) + ("\n" if i % 30 == 29 else "") for i in range(2000))
    for data in (text.encode("utf-8"), text.encode("utf-16")):
        with pytest.raises(ExtractionError, match="implausible text.*rare ones"):
            decode_text(data)
    private = "".join(chr(rnd.randint(0xE000, 0xF8FF)) for _ in range(200))
    with pytest.raises(ExtractionError, match="private-use"):
        decode_text(("通报\n" + private).encode("utf-8"))


def test_chinese_read_as_latin1_and_saved_as_utf8_is_mojibake(tmp_path):
    for name, codec in (("003.txt", "gb18030"), ("009.txt", "big5")):
        mojibake = _utf8(name).encode(codec).decode("latin-1").encode("utf-8")
        path = tmp_path / f"latin1-{name}"
        path.write_bytes(mojibake)
        doc = read_document(path)
        assert doc.status == "failed" and "mojibake" in doc.error, doc.error
    french = "Le rapport présente les résultats détaillés de l’année écoulée.\n" * 5
    assert decode_text(french.encode("utf-8")) == (french, "utf-8")  # accented Latin in plain text is fine


def test_a_byte_order_mark_the_bytes_do_not_honour():
    rnd = random.Random(7)
    with pytest.raises(ExtractionError, match="UTF-16 byte-order mark"):
        decode_text(b"\xff\xfe" + bytes(rnd.randrange(256) for _ in range(1000)))
    with pytest.raises(ExtractionError, match="binary"):
        decode_text(bytes(range(256)) * 10)
    samples = bytes(b for _ in range(2000) for b in (rnd.randrange(256), 0))  # 16-bit samples: NULs as in UTF-16
    for data in (samples, b"\xff\xfe" + samples):
        with pytest.raises(ExtractionError, match="binary content"):
            decode_text(data)
    with pytest.raises(ExtractionError, match="empty"):
        decode_text(b"\n \n")


def test_ascii_needs_no_detector(monkeypatch):
    monkeypatch.setattr(encoding, "_detected", lambda data: pytest.fail("detector consulted on ASCII"))
    assert decode_text(b"Report 2023\ttotal\t100\n") == ("Report 2023\ttotal\t100\n", "utf-8")


def test_the_detector_reads_what_the_simple_candidates_cannot():
    """Shift_JIS is none of UTF-8, GB18030 or Big5: charset-normalizer's reading is judged and taken."""
    text = "日本語のテキストです。東京都の報告書、大阪府の調査結果。\n" * 8
    decoded, found = decode_text(text.encode("shift_jis"))
    assert decoded == text and found not in ("utf-8", "gb18030", "big5")


# ---------------------------------------------------------------- HTML without a true declaration


@pytest.mark.parametrize("declaration", ["", "utf-8", "gb2312"])
def test_big5_page_without_a_true_charset_reads_like_the_utf8_page(tmp_path, declaration):
    page = _utf8("009.html")
    assert 'charset="utf-8"' in page or "charset=utf-8" in page
    lying = page.replace('<meta http-equiv="Content-Type" content="text/html; charset=utf-8">', "")
    lying = lying.replace('<meta charset="utf-8">', f'<meta charset="{declaration}">' if declaration else "")
    path = tmp_path / f"big5-{declaration or 'none'}.html"
    path.write_bytes(lying.encode("big5"))
    assert decode_html(lying.encode("big5")) == (lying, "big5")
    a, b = read_document(path), read_document(DEVSET / "009.html")
    assert a.status == b.status == "ok", (a.error, b.error)
    assert a.text == b.text and _cells(a) == _cells(b)


def test_random_cjk_page_is_refused():
    body = RANDOM_CJK["gb2312-hanzi.txt"]
    data = b"<html><body><p>" + body.replace(b"\n", b"</p><p>") + b"</p></body></html>"
    with pytest.raises(ExtractionError, match="implausible"):
        decode_html(data)


# ---------------------------------------------------------------- traditional characters


def test_to_simplified():
    assert to_simplified("人力資源和社會保障局") == "人力资源和社会保障局"
    assert [to_simplified(n) for n in ("稅務局", "公積金中心", "市場監管局", "醫保局")] == \
        ["税务局", "公积金中心", "市场监管局", "医保局"]
    assert to_simplified("蕪熱線〔2024〕3號，共受理１２件") == "芜热线〔2024〕3号，共受理１２件"  # no NFKC
    simplified = "遵义市人民政府办公室，遵府办通〔2023〕27号"
    assert to_simplified(simplified) is simplified  # the fast path: nothing to convert
    assert not has_traditional(simplified) and has_traditional("稅務局")
    assert to_simplified(None) is None and to_simplified("") == "" and to_simplified("abc 123") == "abc 123"
    text = _utf8("009.txt")
    aligned = aligned_simplified(text)
    assert len(aligned) == len(text)  # one character for each: an offset into one is one into the other
    assert set(_truth("009")["paragraphs_simplified"]) <= set(aligned.splitlines())
    assert to_simplified(_utf8("003.txt")) == _utf8("003.txt")


def test_paragraphs_simplified_as_the_truth_says():
    truth = _truth("009")
    assert [to_simplified(p) for p in truth["paragraphs"]] == truth["paragraphs_simplified"]
    table = truth["tables"][0]
    assert [to_simplified(c) for c in table["columns"]] == table["columns_simplified"]
    assert [[to_simplified(c) for c in r] for r in table["rows"]] == table["rows_simplified"]


@pytest.mark.parametrize("name", ["009.txt", "009.big5.txt", "009.html", "009.docx"])
def test_traditional_metadata_as_printed_with_simplified_forms(name):
    doc = read_document(DEVSET / name)
    meta = _truth("009")["meta"]
    assert doc.status == "ok", doc.error
    for field in META_FIELDS:
        assert getattr(doc, field) == meta[field], field
    assert doc.district is None
    assert doc.issuer_simplified == "芜湖市12345政务服务便民热线工作办公室"
    assert doc.doc_number_simplified == "芜热线〔2024〕3号"
    assert doc.title_simplified == "芜湖市12345政务服务便民热线2024年3月工单办理情况通报"
    assert (doc.province_simplified, doc.city_simplified) == ("安徽省", "芜湖市")
    for field in SIMPLIFIED_FIELDS:
        assert getattr(doc, f"{field}_simplified") == to_simplified(getattr(doc, field))


@pytest.mark.parametrize("doc_id", ["003", "005", "007", "010"])
def test_simplified_metadata_is_unchanged(doc_id):
    doc = read_document(DEVSET / f"{doc_id}.txt")
    meta = _truth(doc_id)["meta"]
    for field in META_FIELDS:
        assert getattr(doc, field) == meta[field], field
    for field in SIMPLIFIED_FIELDS:
        assert getattr(doc, f"{field}_simplified") == getattr(doc, field)


def test_backmap_gives_the_printed_form():
    original = "蕪湖市人 力資源（和）社會保障局\n2024年"
    back = Backmap(original, aligned_simplified(original))
    assert back("人力资源(和)社会保障局") == "人力資源(和)社會保障局"  # cleaned as found: wrap space and （）
    assert back("芜湖市") == "蕪湖市"
    assert back("2024年") == "2024年" and back(None) is None
    assert back("芜湖") == "蕪湖"


def test_traditional_department_names_match_their_simplified_ids():
    matcher = DepartmentMatcher()
    pairs = [("人力資源和社會保障局", "人力资源和社会保障局"), ("稅務局", "税务局"), ("公積金中心", "公积金中心"),
             ("市場監管局", "市场监管局"), ("醫保局", "医保局"), ("國家稅務總局蕪湖市稅務局", "国家税务总局芜湖市税务局"),
             ("市自然資源和規劃局", "市自然资源和规划局")]
    for traditional, simplified in pairs:
        a, b = matcher.match(traditional, "蕪湖市"), matcher.match(simplified, "芜湖市")
        assert a.entity_id == b.entity_id and not a.entity_id.startswith("new:"), traditional
        assert (a.method, a.needs_review) == (b.method, b.needs_review)
        assert a.entity_raw == traditional and a.city == "蕪湖市"  # as written
    for dep in _truth("009")["departments"]:
        m = matcher.match(dep["raw"], "蕪湖市")
        assert m.canonical_name == dep["canonical"], dep
    assert match_key("人力資源 和社會保障局") == "人力资源和社会保障局"
    parsed = parse_name("蕪湖市人社局（含市社保中心）")
    assert parsed.raw == "蕪湖市人社局（含市社保中心）" and parsed.name == "芜湖市人社局"


def test_user_aliases_apply_across_scripts(tmp_path):
    path = tmp_path / "aliases.csv"
    path.write_text("raw,entity_id,city\n江城資訊中心,info_centre,蕪湖市\n", encoding="utf-8")
    assert load_user_aliases(path) == {("江城资讯中心", "芜湖市"): ("info_centre", None)}
    matcher = DepartmentMatcher(aliases=path)
    for raw, city in (("江城資訊中心", "蕪湖市"), ("江城资讯中心", "芜湖市")):
        m = matcher.match(raw, city)
        assert (m.entity_id, m.method, m.entity_raw) == ("info_centre", "alias", raw)


def test_traditional_bulletin_through_the_batch():
    batch = run_batch([DEVSET / "009.txt", DEVSET / "002.txt"], scheduler="serial")
    docs = batch.frames["documents"].set_index("source_path")
    row = docs.loc[str(DEVSET / "009.txt")]
    assert (row.city, row.city_simplified, row.issuer_simplified) == ("蕪湖市", "芜湖市", "芜湖市12345政务服务便民热线工作办公室")
    assert row.doc_number == "蕪熱線〔2024〕3號" and row.doc_number_simplified == "芜热线〔2024〕3号"
    entities = batch.frames["entities"]
    entities = entities[entities.city == "蕪湖市"].set_index("entity_raw")  # 002 has its own 市人社局
    for raw, eid in (("市人社局", "hrss"), ("市場監管局", "market_regulation"), ("公積金中心", "housing_fund"),
                     ("醫保局", "medical_insurance"), ("國家稅務總局蕪湖市稅務局", "tax")):
        assert entities.loc[raw, "entity_id"] == eid, raw
        assert not entities.loc[raw, "needs_review"]
    doc = next(d for d in batch.documents if d.source_path.endswith("009.txt"))
    assert "，" in doc.text and "〔2024〕" in doc.doc_number  # printed text untouched: no NFKC
