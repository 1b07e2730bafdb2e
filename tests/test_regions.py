"""Places: the regions table, names decided by the places around them, documents' places, and the
level and region of departments and observations."""
import csv
import json
from collections import Counter
from pathlib import Path

import pytest

from tongbao.extract.metadata import extract_metadata
from tongbao.normalize.places import locate_document, locate_name
from tongbao.normalize.regions import REGIONS_CSV, gazetteer
from tongbao.pipeline import extract, read_document

ROOT = Path(__file__).resolve().parent.parent
DEVSET = Path(__file__).resolve().parent / "data" / "devset"


def rows():
    with open(REGIONS_CSV, encoding="utf-8") as f:
        return list(csv.DictReader(f))


def where(issuer, text="", title=None, date=None):
    found = locate_document(issuer, title, text, date)
    return found.province, found.city, found.district


# ---------------------------------------------------------------- the table
def test_every_division_of_china_once_with_its_parent():
    current = [r for r in rows() if r["status"] == "current"]
    by_level = Counter(r["level"] for r in current)
    assert by_level["省"] == 34 and by_level["市"] == 333
    assert 2840 <= by_level["区"] + by_level["县"] <= 2860
    codes = {r["code"] for r in current}
    assert len(codes) == len(current) and all(len(c) == 6 and c.isdigit() for c in codes)
    assert all(r["parent"] in codes for r in current if r["level"] != "省")
    per_province = Counter((r["province"], r["level"] in ("区", "县")) for r in current if r["level"] != "省")
    # county-level divisions per province as the Ministry of Civil Affairs counts them
    assert per_province[("河北省", True)] == 167 and per_province[("河北省", False)] == 11
    assert per_province[("江西省", True)] == 100 and per_province[("山东省", True)] == 136
    assert per_province[("四川省", True)] == 183 and per_province[("四川省", False)] == 21
    kinds = Counter(r["kind"] for r in current)
    assert kinds["特区"] == 1 and kinds["林区"] == 1 and kinds["自治旗"] == 3 and kinds["自治县"] == 117


def test_former_names_point_at_a_current_division():
    table = rows()
    current = {r["code"]: r for r in table if r["status"] == "current"}
    former = {(r["name"], r["until"]): r for r in table if r["status"] == "former"}
    assert all(r["successor"] in current for r in former.values())
    assert current[former[("襄樊市", "2010")]["successor"]]["name"] == "襄阳市"
    assert current[former[("莱芜市", "2018")]["successor"]]["name"] == "济南市"
    assert current[former[("章丘市", "2016")]["successor"]]["name"] == "章丘区"


# ---------------------------------------------------------------- documents
def test_county_level_city_resolves_to_its_prefecture():
    assert where("高安市行政审批局") == ("江西省", "宜春市", "高安市")
    assert where("仙桃市政务服务和大数据管理局") == ("湖北省", "仙桃市", None)  # under the province itself


def test_ambiguous_district_left_null_without_context():
    assert where("河东区政务服务管理办公室", "本月全区共受理办件1200件。") == (None, None, None)


def test_ambiguous_district_decided_by_the_other_places_named():
    text = "临沂市测绘院、临沂市不动产登记中心等窗口表现突出。"
    assert where("河东区政务服务管理办公室", text) == ("山东省", "临沂市", "河东区")
    assert where("河东区政务服务管理办公室", "天津市河东区政务服务中心") == ("天津市", "天津市", "河东区")
    # a place below one reading decides it as well as one above: 海南 is a province and a prefecture of 青海
    assert where("海南政务服务中心", "共和县、贵德县窗口") == ("青海省", "海南藏族自治州", None)
    # readings one inside the other (吉林省, 吉林市) stay at the one that holds both
    assert where("吉林政务服务中心", "船营区、昌邑区窗口") == ("吉林省", None, None)


def test_old_names_resolve_to_the_division_they_became():
    assert where("襄樊市行政服务中心", date="2009-05-01") == ("湖北省", "襄阳市", None)
    assert where("莱芜市行政审批服务局", date="2017-03-01") == ("山东省", "济南市", None)
    assert where("章丘市政务服务中心", date="2015-06-01") == ("山东省", "济南市", "章丘区")
    # 巢湖市 was a prefecture until 2011 and is a county-level city of 合肥 since
    assert where("巢湖市政务服务中心", date="2010-06-01") == ("安徽省", "合肥市", None)
    assert where("巢湖市政务服务中心", date="2023-06-01") == ("安徽省", "合肥市", "巢湖市")
    # a name gone for years is no longer read as the old place
    assert where("莱城区政务服务中心", date="2024-01-01") == (None, None, None)


def test_a_name_inside_a_word_is_not_the_documents_place():
    # 沿海城市 holds 海城市 (a county-level city of 鞍山): named once, it is not taken
    assert where(None, "我市作为沿海城市，政务服务持续优化。") == (None, None, None)


def test_every_development_set_document_has_its_city():
    for truth_file in sorted(DEVSET.glob("*.truth.json")):
        meta = json.loads(truth_file.read_text(encoding="utf-8"))["meta"]
        for path in sorted(DEVSET.glob(truth_file.name.split(".")[0] + ".*")):
            if path.suffix in (".json", ".pdf"):
                continue
            doc = read_document(path)
            assert (doc.province, doc.city, doc.district) == (meta["province"], meta["city"], meta["district"]), path


def test_seeds_have_their_places():
    got = {p.name[:3]: extract_metadata(p.read_text(encoding="utf-8")) for p in sorted((ROOT / "corpus").glob("*.txt"))}
    assert (got["000"].province, got["000"].city, got["000"].district) == ("福建省", "三明市", None)
    assert (got["001"].province, got["001"].city, got["001"].district) == ("福建省", "厦门市", None)
    assert (got["004"].province, got["004"].city, got["004"].district) == ("山东省", "临沂市", "河东区")


# ---------------------------------------------------------------- departments
def place(province, city=None, district=None):
    return gazetteer().by_names(province, city, district)


def path(found):
    level, p = found
    return level, (gazetteer().path(p) if p else None)


def test_department_levels_and_regions():
    yichun, linyi, gaoan = place("江西省", "宜春市"), place("山东省", "临沂市"), place("江西省", "宜春市", "高安市")
    assert path(locate_name("市税务局", "市", yichun)) == ("市", "江西省/宜春市")
    assert path(locate_name("河东区税务局", "区", linyi, written_place="河东区")) == ("区", "山东省/临沂市/河东区")
    assert path(locate_name("河东区税务局", "区", yichun, written_place="河东区")) == ("区", None)
    assert path(locate_name("市税务局", "市", gaoan)) == ("县", "江西省/宜春市/高安市")  # a county-level city's bureau
    assert path(locate_name("区民政局", "区", yichun)) == ("区", None)  # a city bulletin's bare 区: which district?
    assert path(locate_name("北京市税务局", "市", place("山东省", "临沂市"))) == ("市", "北京市")
    assert path(locate_name("开发区税务局", "区", linyi, written_place="开发区")) == ("区", None)
    assert path(locate_name("人社局", None, linyi)) == (None, None)  # nothing written, nothing guessed


@pytest.fixture(scope="module")
def linyi_frames():
    return extract([ROOT / "corpus" / "004_4b200b6a30fe016d.txt"], workers=1)


def test_entities_and_observations_carry_level_and_region(linyi_frames):
    ent = linyi_frames["entities"].set_index("entity_raw")
    assert (ent.loc["河东区税务局", "level"], ent.loc["河东区税务局", "region"]) == ("区", "山东省/临沂市/河东区")
    assert (ent.loc["临沂市测绘院", "level"], ent.loc["临沂市测绘院", "region"]) == ("市", "山东省/临沂市")
    assert ent.loc["开发区税务局", "region"] is pd_na()
    obs = linyi_frames["observations"]
    rows_ = obs[obs.entity_name == "河东区税务局"]
    assert len(rows_) and set(rows_.region) == {"山东省/临沂市/河东区"} and set(rows_.level) == {"区"}
    own = obs[obs.entity_name.isna()]
    assert set(own.region.dropna()) <= {"山东省/临沂市/河东区"}


def pd_na():
    import pandas as pd
    return pd.NA
