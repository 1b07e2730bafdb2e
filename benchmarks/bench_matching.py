"""Time DepartmentMatcher.match_many on 100,000 raw names and record the result in RESULTS.md.

The names are built from the labelled test set with random region prefixes, wrap spaces, window
suffixes and full-width brackets, plus unknown names (people, companies, banks) that must come out
`new`. Run: .venv/bin/python benchmarks/bench_matching.py [--n 100000] [--seed 7]
"""
from __future__ import annotations

import results  # benchmarks/results.py: one writer of RESULTS.md sections
import argparse
import csv
import os
import platform
import random
import time
from collections import Counter
from pathlib import Path

from tongbao.normalize.departments import DepartmentMatcher
from tongbao.normalize.names import compact, preferred_split, region_splits

ROOT = Path(__file__).resolve().parent.parent
LABELLED = ROOT / "tests" / "data" / "department_names.csv"
RESULTS = ROOT / "benchmarks" / "RESULTS.md"
SECTION = "## Department matching"

PLACE_CHARS = "东西南北安平阳山江河湖海清丰宁远德华兴隆泰康永长新金龙凤桂云岳川"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华玲"
CITIES = ["三明", "厦门", "临沂", "杭州", "成都", "深圳", "武汉", "西安", "南京", "郑州", None]


def _place(rng: random.Random) -> str:
    return "".join(rng.choice(PLACE_CHARS) for _ in range(rng.choice((2, 2, 3))))


def _prefix(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.25:
        return ""
    if kind < 0.45:
        return rng.choice("市区县")
    if kind < 0.75:
        return _place(rng) + rng.choice("市区县")
    return _place(rng) + "省" + _place(rng) + "市" + rng.choice(("", _place(rng) + "区"))


def _wrap(rng: random.Random, text: str) -> str:
    if len(text) < 3 or rng.random() < 0.6:
        return text
    i = rng.randrange(1, len(text) - 1)
    return text[:i] + " " + text[i:]


def _unknown(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.4:
        return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
    if kind < 0.7:
        return _place(rng) + "".join(rng.choice(GIVEN) for _ in range(2)) + rng.choice(("科技有限公司", "置业有限公司", "集团"))
    return _place(rng) + rng.choice(("银行", "村镇银行", "商业银行"))


def build_names(n: int, seed: int, matcher: DepartmentMatcher) -> list[tuple[str, str | None]]:
    """n (raw, city) pairs: ~85 % department names with random decoration, ~15 % unknown names."""
    rng = random.Random(seed)
    with open(LABELLED, encoding="utf-8") as f:
        base = [r["raw"] for r in csv.DictReader(f) if r["expected_id"] not in ("new",) and "|" not in r["expected_id"]]
    # take the region off the labelled names so random prefixes can be put on (when the bare core
    # still means the same department; 杭州市民中心 keeps its 市)
    bare = set()
    for b in base:
        core = preferred_split(region_splits(compact(b)), matcher.registry.protected).core
        same = core and matcher.match(core).entity_id == matcher.match(b).entity_id
        bare.add(core if same else b)
    bare = sorted(bare)
    out = []
    for _ in range(n):
        city = rng.choice(CITIES)
        if rng.random() < 0.15:
            out.append((_unknown(rng), city))
            continue
        name = _prefix(rng) + rng.choice(bare)
        if rng.random() < 0.1:
            name += rng.choice(("窗口", "驻中心窗口", "（公司）"))
        name = _wrap(rng, name).replace("(", rng.choice("(（")).replace(")", rng.choice(")）"))
        out.append((name, city))
    return out


def update_results(text: str, path: Path = RESULTS) -> None:
    """This benchmark's section of RESULTS.md."""
    results.write_section(SECTION, text, path)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--no-write", action="store_true", help="print only, leave RESULTS.md alone")
    args = ap.parse_args()
    names = build_names(args.n, args.seed, DepartmentMatcher())
    t0 = time.perf_counter()
    matcher = DepartmentMatcher()  # a fresh one: no cached parses
    load = time.perf_counter() - t0
    t1, c1 = time.perf_counter(), time.process_time()
    matches = matcher.match_many([r for r, _ in names], [c for _, c in names])
    t2, c2 = time.perf_counter(), time.process_time()
    methods = Counter(m.method for m in matches)
    review = sum(m.needs_review for m in matches)
    uniq = len(set(names))
    rate = len(names) / (t2 - t1)
    summary = (f"{len(names):,} names ({uniq:,} distinct (name, city) pairs): matched in {t2 - t1:.2f} s wall "
               f"({c2 - c1:.2f} s CPU) = {rate:,.0f} names/s (registry load {load:.2f} s)")
    print(summary)
    print("methods:", dict(methods), "needs_review:", review)
    if not args.no_write:
        update_results(
            f"`benchmarks/bench_matching.py --n {args.n} --seed {args.seed}` on {platform.machine()}, "
            f"{os.cpu_count()} CPUs, Python {platform.python_version()}, {time.strftime('%Y-%m-%d')}:\n\n"
            f"- {summary}\n"
            f"- methods: " + ", ".join(f"{k} {v:,}" for k, v in sorted(methods.items())) + f"; needs_review {review:,}\n"
            f"- target: 100,000 names in under 10 s")


if __name__ == "__main__":
    main()
