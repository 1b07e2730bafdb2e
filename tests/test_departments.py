"""Department registry and matcher: accuracy on the hand-labelled set, safety, parsing, files."""
from __future__ import annotations

import csv
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tongbao.normalize.departments import (CATEGORIES, CROSSWALK_COLUMNS, DEFAULT_REGISTRY, DepartmentMatcher,
                                           load_user_aliases, new_id, read_names_file, write_crosswalk,
                                           write_review_queue)
from tongbao.nlp.awards import person_pairs
from tongbao.normalize.entities import match_entities, mentioned_names
from tongbao.normalize.names import parse_name, region_splits, split_list
from tongbao.pipeline import process_file

CORPUS = Path(__file__).resolve().parent.parent / "corpus"

LABELLED = Path(__file__).parent / "data" / "department_names.csv"


@pytest.fixture(scope="module")
def matcher() -> DepartmentMatcher:
    return DepartmentMatcher()


@pytest.fixture(scope="module")
def labelled() -> list[dict[str, str]]:
    with open(LABELLED, encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _got(m) -> str:
    """The id a match stands for in the labelled set's terms: `new` or a registry id."""
    if m.entity_id.startswith("ambiguous:"):
        return "ambiguous"
    return "new" if m.entity_id.startswith("new:") else m.entity_id


def _score_labelled(matcher, rows):
    matches = matcher.match_many([r["raw"] for r in rows], [r["city"] or None for r in rows])
    results = []
    for r, m in zip(rows, matches):
        exp = r["expected_id"]
        if "|" in exp:  # a list of departments: its items are the answer; reviewed only where an item is
            got = "|".join(_got(x) for x in m.members)
            ok = got == exp and m.method == "list"
        else:
            got = _got(m)
            ok = got == exp
        results.append((r, m, got, ok))
    return results


# ---------------------------------------------------------------------------- the labelled set
def test_labelled_set_is_big_and_varied(labelled):
    assert len(labelled) >= 300
    cities = {r["city"] for r in labelled if r["city"]}
    assert len(cities) >= 8
    assert {"三明", "厦门", "临沂"} <= cities
    assert sum(r["expected_id"] == "new" for r in labelled) >= 30
    ids = DepartmentMatcher().registry.departments
    for r in labelled:
        for part in r["expected_id"].split("|"):
            assert part in ("new", "ambiguous") or part.startswith("region:") or part in ids, r
        assert r["expected_level"] in ("", "省", "市", "区", "县"), r


def test_accuracy_on_labelled_set(matcher, labelled):
    results = _score_labelled(matcher, labelled)
    misses = [(r["raw"], r["city"], r["expected_id"], got, m.method, m.score, m.needs_review)
              for r, m, got, ok in results if not ok]
    accuracy = 1 - len(misses) / len(results)
    print(f"\ndepartment matching accuracy: {accuracy:.2%} on {len(results)} labelled names")
    for miss in misses:
        print("  miss:", miss)
    assert accuracy >= 0.98


def test_level_on_labelled_set(matcher, labelled):
    matches = matcher.match_many([r["raw"] for r in labelled], [r["city"] or None for r in labelled])
    wrong = [(r["raw"], r["expected_level"], m.level) for r, m in zip(labelled, matches)
             if (m.level or "") != r["expected_level"]]
    print(f"\nlevel accuracy: {1 - len(wrong) / len(labelled):.2%}", wrong)
    assert len(wrong) / len(labelled) <= 0.02


def test_no_confident_wrong_match(matcher, labelled):
    results = _score_labelled(matcher, labelled)
    confident_wrong = [(r["raw"], r["expected_id"], got, m.method) for r, m, got, ok in results
                       if not ok and not m.needs_review]
    assert confident_wrong == []


def test_unknowns_are_new_and_flagged(matcher):
    unknown = ["张国华", "陈琳琳", "厦门万科", "临商银行", "厦门银行", "杭州银行", "中铁三局集团有限公司",
               "厦门市住房置业融资担保有限公司", "市图书馆", "摩多科技", "瑞霖（厦门）化工有限公司", "市第一医院"]
    for raw in unknown:
        m = matcher.match(raw, "厦门")
        assert m.method == "new" and m.needs_review and m.entity_id.startswith("new:"), (raw, m)
        assert m.canonical_name is None and len(m.candidates) <= 3


def test_new_ids_are_stable(matcher):
    a = matcher.match("市建筑废土站", "厦门").entity_id
    assert a == DepartmentMatcher().match("市建筑 废土站", None).entity_id == new_id("建筑废土站")
    assert len(a) == len("new:") + 10


def test_hard_negatives(matcher):
    pairs = {"人防办": "civil_air_defense", "人社局": "hrss", "住建局": "housing_construction", "住房局": "housing_admin",
             "建设局": "housing_construction", "医保局": "medical_insurance", "医保中心": "medical_insurance_center",
             "工商局": "market_regulation", "工商联": "federation_industry", "工商银行": "bank_icbc",
             "招商局": "ambiguous:招商局", "招商银行": "bank_cmb", "水务局": "water_resources",
             "水务集团": "water_supply", "广电局": "ambiguous:广电局", "广电网络": "telecom_cable",
             "邮政管理局": "postal_admin", "邮政": "post_express", "城建档案馆": "urban_construction_archives",
             "档案馆": "archives", "社保中心": "social_insurance", "机关社保中心": "social_insurance_civil",
             "市民政局": "civil_affairs", "市民中心": "service_hall", "交通局": "transport", "交警": "ps_traffic",
             "交运集团": "transport_group", "交通银行": "bank_bocom"}
    for raw, expected in pairs.items():
        assert matcher.match(raw).entity_id == expected, raw


def test_fuzzy_never_crosses_keyword(matcher):
    # 人设局 is one character from 人社局 but a 2-char stem: review, never a guess
    m = matcher.match("人设局")
    assert m.method == "new" and m.needs_review
    # a typo in a long name is scored, but left for review
    m = matcher.match("人力资原和社会保障局")
    assert (m.entity_id, m.method, m.needs_review) == ("hrss", "fuzzy", True)
    # same stem, other keyword: 人防 as 局 is an alias, as 中心 it is unknown
    assert matcher.match("人防中心").method == "new"


def test_units_of_a_department_but_not_two_departments(matcher):
    assert matcher.match("市公安局交警支队车管所").entity_id == "ps_vehicle"
    assert matcher.match("民政局婚姻登记处").entity_id == "marriage_registration"
    # two unrelated names run together (a lost 、) are split and sent to review, never resolved to one
    m = matcher.match("市税务局不动产登记交易中心", "临沂")
    assert m.method == "list" and m.needs_review
    assert [(x.entity_id, x.level) for x in m.members] == [("tax", "市"), ("real_estate_registration", "市")]
    # an unknown unit of a known department: the department is suggested, for review
    m = matcher.match("市场监管局食品安全科")
    assert (m.entity_id, m.method, m.needs_review) == ("market_regulation", "rule", True)
    # a person after a department is not a unit of it
    assert matcher.match("市文旅局范炜平").method == "new"


def test_brand_suffix_rules(matcher):
    for raw, expected in {"奥德燃气": "gas", "三明中燃": "gas", "恒源供水公司": "water_supply", "凤凰水业": "water_supply",
                          "天鸿公证处": "notary", "深圳供电局": "power", "厦门农商银行": "bank_rural",
                          "福建广电网络集团三明分公司": "telecom_cable"}.items():
        m = matcher.match(raw)
        assert (m.entity_id, m.needs_review) == (expected, False) and m.method in ("alias", "rule"), raw
    # a bank the registry does not know is not guessed from its suffix
    assert matcher.match("临商银行").method == "new"


# ---------------------------------------------------------------------------- seeds: parsing
def test_members_from_han_parenthetical(matcher):
    m = matcher.match("市人社局(含市社 保中心、机关社保 中心、就业中心和 人才中心)", "三明")
    assert (m.entity_id, m.level, m.method) == ("hrss", "市", "alias")
    assert [x.entity_id for x in m.members] == ["social_insurance", "social_insurance_civil", "employment", "talent"]
    assert [x.level for x in m.members] == ["市"] * 4
    assert m.members[1].entity_raw == "市机关社保中心"
    m = matcher.match("市公安局(含市公安局出入境支队、治安支队和驾管中心)", "三明")
    assert [x.entity_id for x in m.members] == ["ps_exit_entry", "ps_public_order", "ps_vehicle"]
    # the head's prefix is carried when the first member has none
    m = matcher.match("市财政局（含公积金管理中心）")
    assert (m.members[0].entity_id, m.members[0].level) == ("housing_fund", "市")


def test_parse_name_members():
    p = parse_name("市人社局(含市社 保中心、机关社保 中心、就业中心和 人才中心)")
    assert p.name == "市人社局"
    assert p.members == ("市社保中心", "市机关社保中心", "市就业中心", "市人才中心")


def test_split_list_carries_prefix(matcher):
    assert split_list("市科技局、文旅局和公安局") == ["市科技局", "市文旅局", "市公安局"]
    assert split_list("市交运集团、卫健委和区市场监管局") == ["市交运集团", "市卫健委", "区市场监管局"]
    assert split_list("市司法局、税务局、商务局等窗口") == ["市司法局", "市税务局", "市商务局"]
    # 和 inside a name is not a list
    assert split_list("人力资源和社会保障局") == ["人力资源和社会保障局"]
    assert split_list("市自然资源和规划局、教育和体育局") == ["市自然资源和规划局", "市教育和体育局"]
    m = matcher.match("市科技局、文旅局和公安局（含市公安局出入境支队、治安支队和驾管中心）", "三明")
    assert m.method == "list" and not m.needs_review  # every member matched
    assert [(x.entity_id, x.level) for x in m.members] == [
        ("science_technology", "市"), ("culture_tourism", "市"), ("public_security", "市")]
    assert [x.entity_id for x in m.members[2].members] == ["ps_exit_entry", "ps_public_order", "ps_vehicle"]


def test_person_pairs():
    text = ("陈雅玲、杨海霞（厦门市市场监督管理局），倪艳云（厦门市民政局），何晓琪、黄雨茜、林恩爽"
            "（厦门市政务服务保障中心）。")
    assert person_pairs(text) == [
        ("陈雅玲", "厦门市市场监督管理局"), ("杨海霞", "厦门市市场监督管理局"), ("倪艳云", "厦门市民政局"),
        ("何晓琪", "厦门市政务服务保障中心"), ("黄雨茜", "厦门市政务服务保障中心"), ("林恩爽", "厦门市政务服务保障中心")]
    assert person_pairs("尤洪粉（不动产登记交易中心）、刘商含（税务局）") == [
        ("尤洪粉", "不动产登记交易中心"), ("刘商含", "税务局")]
    assert person_pairs("陈雅玲（厦门市民政局），以及其他同志") == []  # not a list of people and units throughout


def test_region_prefixes(matcher):
    cases = {
        ("国家税务总局厦门市税务局", "厦门"): ("tax", "市", "厦门市"),
        ("国家税务总局厦门市思明区税务局", None): ("tax", "区", "思明区"),
        ("临沂市河东区人力资源和社会保障局", None): ("hrss", "区", "河东区"),
        ("河东区税务局", "临沂"): ("tax", "区", "河东区"),
        ("区市场监管局", "三明"): ("market_regulation", "区", None),
        ("市市场监管局", "三明"): ("market_regulation", "市", None),
        ("市场监管局", "临沂"): ("market_regulation", None, None),
        ("福建省人力资源和社会保障厅", None): ("hrss", "省", "福建省"),
        ("厦门海关", None): ("customs", None, "厦门"),
        ("杭州市民中心", "杭州"): ("service_hall", None, "杭州"),
        ("石柱土家族自治县政务服务中心", "重庆"): ("service_hall", "县", "石柱土家族自治县"),
    }
    for (raw, city), expected in cases.items():
        m = matcher.match(raw, city)
        assert (m.entity_id, m.level, m.region) == expected, raw
    assert matcher.match("国家税务总局厦门市税务局").city == "厦门"
    assert matcher.match("市人社局", "三明").city == "三明"


def test_region_splits_keeps_alternatives():
    cores = [sp.core for sp in region_splits("市民政局")]
    assert cores == ["民政局", "市民政局"]
    assert region_splits("思明区")[0].core == ""


# ---------------------------------------------------------------------------- properties
_PLACE = st.text(alphabet="东西南北安平阳清丰宁远德华兴隆泰康永长金龙凤桂云岳", min_size=2, max_size=3)
_PREFIX = st.one_of(
    st.sampled_from(["", "市", "区", "县", "省"]),
    st.builds(lambda p, s: p + s, _PLACE, st.sampled_from(["市", "区", "县", "省"])),
    st.builds(lambda a, b, c: a + "省" + b + "市" + c, _PLACE, _PLACE, st.sampled_from(["", "西湖区", "城关区"])),
)
_ALIASES = sorted(DepartmentMatcher().registry.exact)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(prefix=_PREFIX, alias=st.sampled_from(_ALIASES))
def test_prefix_plus_alias_resolves_to_alias_id(matcher, prefix, alias):
    expected = matcher.registry.exact[alias]
    m = matcher.match(prefix + alias)
    assert m.entity_id == expected, (prefix, alias, m)
    # a hall or an ambiguous name is always reviewed, every other alias never
    assert m.needs_review is bool(matcher.registry.review_reason(expected))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_wrap_spaces_never_change_the_id(matcher, labelled, data):
    row = data.draw(st.sampled_from(labelled))
    raw = row["raw"]
    cuts = data.draw(st.lists(st.integers(min_value=1, max_value=max(1, len(raw) - 1)), max_size=3))
    spaced = raw
    for c in sorted(set(cuts), reverse=True):
        spaced = spaced[:c] + data.draw(st.sampled_from([" ", "  ", "\u3000", "\n"])) + spaced[c:]
    city = row["city"] or None
    a, b = matcher.match(raw, city), matcher.match(spaced, city)
    assert (a.entity_id, a.level, a.method) == (b.entity_id, b.level, b.method)
    assert b.entity_raw == spaced


# ---------------------------------------------------------------------------- registry data
def test_registry_shape():
    data = yaml.safe_load(DEFAULT_REGISTRY.read_text(encoding="utf-8"))
    deps = data["departments"]
    assert len(deps) >= 100
    ids = [d["id"] for d in deps]
    assert len(ids) == len(set(ids))
    for d in deps:
        assert d["category"] in CATEGORIES
        assert d["name"] and isinstance(d.get("aliases"), list) and isinstance(d.get("renamed_from"), list)


def test_every_alias_resolves_to_itself(matcher):
    keys = list(matcher.registry.exact.items())
    for (alias, eid), m in zip(keys, matcher.match_many([k for k, _ in keys])):
        method = "ambiguous" if eid.startswith("ambiguous:") else "alias"
        assert (m.entity_id, m.method, m.level) == (eid, method, None), alias


@pytest.mark.parametrize("old,new", [
    ("国土资源局", "natural_resources"), ("工商局", "market_regulation"), ("质监局", "market_regulation"),
    ("食药监局", "market_regulation"), ("卫计委", "health"), ("规划局", "natural_resources"),
    ("安监局", "emergency"), ("农业局", "agriculture_rural"), ("文广新局", "culture_tourism"),
    ("旅游局", "culture_tourism"), ("环保局", "ecology_environment"), ("地税局", "tax"), ("法制办", "justice")])
def test_2018_renames(matcher, old, new):
    m = matcher.match("市" + old)
    assert (m.entity_id, m.level) == (new, "市")


def test_within_names_known_departments():
    reg = DepartmentMatcher().registry
    assert reg.unit_of("ps_exit_entry", "public_security") and not reg.unit_of("public_security", "ps_exit_entry")
    assert not reg.related("tax", "real_estate_registration")


def test_bad_registry_is_refused(tmp_path):
    path = tmp_path / "reg.yaml"
    path.write_text(yaml.safe_dump({"departments": [
        {"id": "a", "name": "甲局", "category": "government", "aliases": ["同名局"], "renamed_from": []},
        {"id": "b", "name": "乙局", "category": "government", "aliases": ["同名局"], "renamed_from": []}]},
        allow_unicode=True), encoding="utf-8")
    with pytest.raises(ValueError, match="同名局"):
        DepartmentMatcher(registry=path)


# ---------------------------------------------------------------------------- user aliases and files
def test_user_aliases_override_and_extend(tmp_path):
    path = tmp_path / "aliases.csv"
    path.write_text("raw,entity_id,canonical_name,city\n"
                    "临商银行,bank_linshang,临商银行,\n"
                    "人社局,hrss_custom,人社局（自定义）,临沂\n"
                    "厦门万科,new,,\n", encoding="utf-8")
    m = DepartmentMatcher(aliases=path)
    x = m.match("临商银行", "临沂")
    assert (x.entity_id, x.canonical_name, x.method, x.needs_review) == ("bank_linshang", "临商银行", "alias", False)
    assert m.match("人社局", "临沂").entity_id == "hrss_custom"
    assert m.match("人社局", "三明").entity_id == "hrss"  # the override is for 临沂 only
    assert m.match("区人社局", "临沂").entity_id == "hrss_custom"  # applies under a prefix too
    v = m.match("厦门万科", "厦门")
    assert v.entity_id.startswith("new:") and not v.needs_review
    assert load_user_aliases(path)[("人社局", "临沂")] == ("hrss_custom", "人社局（自定义）")


def test_review_queue_round_trip(tmp_path, matcher):
    raws = ["市人社局(含市社保中心、机关社保中心)", "临商银行", "人力资原和社会保障局", "张国华", "市税务局"]
    matches = matcher.match_many(raws, ["三明"] * len(raws))
    queue = tmp_path / "review.csv"
    write_review_queue(matches, queue)
    with open(queue, encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    assert {r["raw"] for r in rows} == {"临商银行", "人力资原和社会保障局", "张国华"}
    row = next(r for r in rows if r["raw"] == "人力资原和社会保障局")
    assert row["suggested_id"] == "hrss" and row["candidate_1"].startswith("hrss")
    assert row["entity_id"] == "" and row["canonical_name"] == ""
    for r in rows:  # the user fills in the answers
        r["entity_id"] = {"临商银行": "bank_linshang", "人力资原和社会保障局": "hrss"}.get(r["raw"], "")
    with open(queue, "w", encoding="utf-8-sig", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    again = DepartmentMatcher(aliases=queue).match_many(raws, ["三明"] * len(raws))
    assert again[1].entity_id == "bank_linshang" and not again[1].needs_review
    assert again[2].entity_id == "hrss" and again[2].method == "alias"
    assert again[3].needs_review  # left blank: still to review


def test_crosswalk_written_and_readable(tmp_path, matcher):
    raws = ["市人社局(含市社保中心、机关社保中心)", "人社局、医保局", "张国华", "市人社局"]
    path = tmp_path / "out" / "entities.csv"
    write_crosswalk(matcher.match_many(raws, ["三明"] * 4), path)
    with open(path, encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0])[:8] == CROSSWALK_COLUMNS[:8] == [
        "entity_raw", "city", "level", "entity_id", "canonical_name", "score", "method", "needs_review"]
    by_raw = {r["entity_raw"]: r for r in rows}
    assert by_raw["市人社局(含市社保中心、机关社保中心)"]["entity_id"] == "hrss"
    assert by_raw["市机关社保中心"]["entity_id"] == "social_insurance_civil"
    assert by_raw["市机关社保中心"]["parent_raw"] == "市人社局(含市社保中心、机关社保中心)"
    assert by_raw["医保局"]["entity_id"] == "medical_insurance"
    assert by_raw["张国华"]["needs_review"] == "true" and by_raw["张国华"]["method"] == "new"
    assert float(by_raw["市人社局"]["score"]) == 100.0
    assert not list(path.parent.glob("*.tmp"))


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_read_names_file(tmp_path, encoding):
    csv_path = tmp_path / "names.csv"
    csv_path.write_text("raw,city\n市人社局,三明\n人防办,\n", encoding=encoding)
    assert read_names_file(csv_path) == [("市人社局", "三明"), ("人防办", None)]
    tsv_path = tmp_path / "names.tsv"
    tsv_path.write_text("id\traw\tcity\n1\t厦门海关\t厦门\n", encoding=encoding)
    assert read_names_file(tsv_path) == [("厦门海关", "厦门")]
    txt_path = tmp_path / "names.txt"
    txt_path.write_text("市人社局（含市社保中心）\n\n  奥德燃气  \n", encoding=encoding)
    assert read_names_file(txt_path) == [("市人社局（含市社保中心）", None), ("奥德燃气", None)]


def test_match_many_keeps_order_and_raw(matcher):
    raws = ["市人社局", "市 人社局", "市人社局", "人防办"]
    out = matcher.match_many(raws, ["三明", "三明", None, "三明"])
    assert [m.entity_raw for m in out] == raws
    assert [m.entity_id for m in out] == ["hrss", "hrss", "hrss", "civil_air_defense"]
    assert out[0].city == "三明" and out[2].city is None
    with pytest.raises(ValueError):
        matcher.match_many(["a"], [None, None])


def test_a_place_is_a_region_not_a_new_department(matcher):
    """A row of a table by district names a place: it is kept as region:<place>, not queued for review."""
    m = matcher.match("思明区", "厦门")
    assert (m.entity_id, m.canonical_name, m.method, m.needs_review) == ("region:思明区", "思明区", "region", False)
    assert matcher.match("思明区人社局", "厦门").entity_id == "hrss"


def test_names_sent_to_matching_leave_out_total_rows():
    """The 合计 row of a table is arithmetic, not a department; a figure's people are not units."""
    docs = [process_file(p) for p in sorted(CORPUS.glob("*.txt"))]
    raws = [raw for raw, _city in mentioned_names(docs)]
    assert "合计" not in raws and "以及市人社局余卫强、市商务局吴露萍" not in raws
    assert "市人社局、市商务局" in raws
    frame, _lookup = match_entities(docs)
    assert set(frame["method"]) <= {"alias", "rule", "fuzzy", "new", "list", "region", "ambiguous"}
    assert (frame[frame.entity_raw == "市人社局、市商务局"].method == "list").all()


# ---------------------------------------------------------------------------- halls, ambiguous names, reforms
from dept_pairs import devset_names, pairwise  # noqa: E402


def test_devset_names_pairwise(matcher):
    """Every department name the development set's truth files list: pairwise F1 (tests/dept_pairs.py)."""
    rows = devset_names()
    assert len(rows) >= 80
    matches = matcher.match_many([r[0] for r in rows], [r[1] for r in rows])
    score = pairwise([r[2] for r in rows], matches)
    print(f"\ndevset names: {len(rows)}, pairwise P {score.precision:.3f} R {score.recall:.3f} F1 {score.f1:.3f}")
    assert score.f1 >= 0.98 and score.precision == 1.0


@pytest.mark.parametrize("raw", ["政务服务中心", "市政务服务中心", "便民服务中心", "杭州市民中心", "行政服务大厅",
                                 "党群服务中心", "城关镇便民服务中心", "某某街道党群服务中心", "区行政服务中心", "市民之家",
                                 "综合受理窗口", "高新区政务服务中心"])
def test_halls_go_to_review(matcher, raw):
    m = matcher.match(raw)
    assert (m.entity_id, m.needs_review) == ("service_hall", True), m


def test_the_body_that_runs_a_hall_is_confident(matcher):
    for raw in ("市政务服务中心管委会", "政务服务管理局", "政数局", "市政务服务和数据管理局", "区政务服务数据管理局"):
        m = matcher.match(raw)
        assert (m.entity_id, m.needs_review) == ("government_services", False), raw


def test_a_department_written_with_its_hall_is_the_department(matcher):
    assert matcher.match("市政务服务中心人社局窗口").entity_id == "hrss"
    assert matcher.match("政务服务中心税务窗口").entity_id == "tax"
    assert not matcher.match("政务服务中心税务窗口").needs_review


@pytest.mark.parametrize("raw", ["文体局", "市文化体育局", "物价局", "县物价局", "招商局", "科工局", "区经济发展局",
                                 "社会事业局", "海洋与渔业局", "农林局", "药监局", "新闻出版局", "文体广电局"])
def test_ambiguous_names_go_to_review_with_candidates(matcher, raw):
    m = matcher.match(raw)
    assert m.method == "ambiguous" and m.needs_review and m.entity_id.startswith("ambiguous:"), m
    assert m.canonical_name is None and m.candidates
    assert all(c[0] in matcher.registry.departments for c in m.candidates)


def test_ambiguous_names_in_the_review_queue(tmp_path, matcher):
    queue = tmp_path / "review.csv"
    write_review_queue(matcher.match_many(["物价局"]), queue)
    with open(queue, encoding="utf-8-sig") as f:
        row = next(csv.DictReader(f))
    assert row["method"] == "ambiguous" and row["suggested_id"] == ""
    assert {row["candidate_1"].split()[0], row["candidate_2"].split()[0]} == {"development_reform", "market_regulation"}


@pytest.mark.parametrize("names,expected", [
    (["文化和旅游局", "文化广电和旅游局", "文体广电和旅游局", "文化广电旅游体育局", "文广旅游局", "文旅局", "区文化和旅游体育局",
      "县文化旅游广电局", "文化体育广电和旅游局", "文广新局", "文化广电新闻出版局"], "culture_tourism"),
    (["自然资源局", "自然资源和规划局", "规划和自然资源局", "规划局", "国土资源局", "国土局", "自然资源与规划局"],
     "natural_resources"),
    (["教育局", "教育和体育局", "教体局", "教育体育局"], "education"),
    (["卫健委", "卫计委", "卫生和计划生育委员会", "卫生局"], "health"),
    (["市场监管局", "工商局", "质监局", "食药监局", "工商行政管理局"], "market_regulation"),
])
def test_merged_and_renamed_bureaus_are_one_id(matcher, names, expected):
    for m in matcher.match_many(names):
        assert (m.entity_id, m.needs_review) == (expected, False), m


def test_sports_on_its_own_stays_sports(matcher):
    assert matcher.match("体育局").entity_id == "sports"


def test_retired_ids_in_a_users_aliases_resolve_to_their_successor(tmp_path):
    f = tmp_path / "aliases.csv"
    f.write_text("raw,entity_id\n某某文体旅游服务局,culture_tourism_sports\n", encoding="utf-8")
    m = DepartmentMatcher(aliases=f).match("某某文体旅游服务局")
    assert (m.entity_id, m.canonical_name, m.needs_review) == ("culture_tourism", "文化和旅游局", False)


def test_retired_ids_are_gone_and_mapped():
    r = DepartmentMatcher().registry
    for old, new in r.retired.items():
        assert old not in r.departments and new in r.departments


@pytest.mark.parametrize("raw,expected", [
    ("人力資源和社會保障局", "hrss"), ("稅務局", "tax"), ("公積金中心", "housing_fund"), ("市場監管局", "market_regulation"),
    ("國家稅務總局蕪湖市稅務局", "tax"), ("衞生健康委員會", "health"), ("衞健委", "health"), ("醫療保障局", "medical_insurance"),
    ("工業和信息化局", "industry_it"), ("不動產登記中心", "real_estate_registration"), ("戶政服務中心", "ps_household"),
    ("文化廣電和旅遊局", "culture_tourism"), ("自然資源和規劃局", "natural_resources")])
def test_traditional_names_match_through_their_simplified_form(matcher, raw, expected):
    m = matcher.match(raw)
    assert (m.entity_id, m.needs_review, m.entity_raw) == (expected, False, raw)


def test_traditional_halls_and_ambiguous_names_are_reviewed(matcher):
    assert matcher.match("政務服務中心").entity_id == "service_hall" and matcher.match("政務服務中心").needs_review
    assert matcher.match("物價局").method == "ambiguous"
