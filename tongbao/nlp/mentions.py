"""Persons named in the narrative, with their unit and what the sentence says of them.

Three shapes: "<单位>工作人员 A、B、C 拾到…" ; "<单位>A，<单位>B、C …受到…表扬" ; "A（<单位>）、B（<单位>）".
Persons already counted as award recipients are left to the awards.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from .awards import Award, split_unit_person
from .pipeline import compact, dept_word_re, ends_with_dept_word, sentence_bounds

SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚"
            "卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
            "常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单"
            "季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚"
            "娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘"
            "池查麻苑迟邝官封谈匡鞠惠荆乐冀郁胥南班储原栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻位厉伊仝区郜海阚花权强帅屠"
            "豆朴盖练廉禹井祖漆巴丰支卿国狄平计索宣晋相初门云容敬来扈晁芮都普阙浦戈伏鹿薄邸雍辜羊阿乌母裘亓修邰"
            "赫杭况那宿鲜印逯隆茹诸战慕危玉银亢嵇公哈湛宾戎勾茅利於呼居揭干但尉冶斯元束檀衣信展阴昝智幸奉植衡富"
            "尧闭由")
VERB_STARTS = ("拾到", "拾", "在", "为", "因", "受到", "受", "主动", "及时", "获得", "获", "被", "迟到", "空岗", "脱岗",
               "离岗", "等", "同志", "放弃", "热心", "耐心", "帮助", "协助", "积极", "认真", "冒雨", "加班", "克服", "收到")
WHAT = (("late", ("迟到", "早退")), ("absent", ("空岗", "脱岗", "离岗", "缺岗", "旷工")),
        ("praise", ("拾到", "拾金", "归还", "表扬", "感谢", "好人好事", "表现突出", "点赞", "锦旗", "赞扬", "肯定")))
_STOP = {"工作人员", "办事群众", "群众", "企业", "窗口", "同志", "人员", "负责人", "领导", "部门", "单位",
         # words a bulletin writes after 工作人员 that start with a surname's character (工作人员管理有关规定)
         "管理", "服务", "周到", "方便", "高效", "程序", "严格", "任务", "安全", "文明", "素质", "作风", "纪律", "考核",
         "培训", "业务", "能力", "水平", "形象", "行为", "仪容", "着装"}


@dataclass
class Mention:
    mention_id: str
    doc_id: str
    start: int
    end: int
    sentence: str
    person: str
    department: str | None
    what: str  # "praise" | "late" | "absent" | "other"
    detail: str | None = None
    page: int | None = None


def pseudonymize(name: str, salt: str = "") -> str:
    """A stable pseudonym for a person's name: "人员-" and 8 hex digits of sha256(salt + name)."""
    digest = hashlib.sha256((salt + "\x1f" + compact(name)).encode("utf-8")).hexdigest()
    return f"人员-{digest[:8]}"


def is_person_name(s: str) -> bool:
    s = compact(s)
    if not 2 <= len(s) <= 4 or s in _STOP or not re.fullmatch(r"[\u4e00-\u9fff]+", s):
        return False
    if dept_word_re().search(s) or ends_with_dept_word(s):
        return False
    return s[0] in SURNAMES or s[:2] in ("欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容")


def _cut_name(s: str) -> str:
    """The name at the start of "卓见拾到办事群众…": up to the first verb, at most 4 characters."""
    s = compact(s)
    run = re.match(r"[\u4e00-\u9fff]*", s)
    s = run.group(0) if run else s
    for k in range(2, min(4, len(s)) + 1):
        if s[k:].startswith(VERB_STARTS) or k == len(s):
            return s[:k]
    return s[:3] if is_person_name(s[:3]) and not is_person_name(s[:2]) else s[:2] if len(s) > 4 else s


def _what(sentence: str) -> tuple[str, str | None]:
    for what, words in WHAT:
        for w in words:
            if w in sentence:
                return what, w
    return "other", None


def _staff_lists(text, lo, hi, found):
    """<单位>(窗口)?工作人员 A、B、C <verb>…"""
    for m in re.finditer(r"工作\s*人\s*员", text[lo:hi]):
        p = lo + m.end()
        s0, s1 = sentence_bounds(text, p, lo, hi)
        before = compact(text[s0:lo + m.start()])
        before = re.split(r"[，,；;：:。]", before)[-1]
        before = re.sub(r"(窗口|综合窗口)$", "", before)
        dept = before if before and ends_with_dept_word(before) else None
        if dept:
            dept = re.sub(r"^\d+\s*月份?", "", dept)
        rest = text[p:s1]
        # the list runs to the first clause ending outside 、
        stop = re.search(r"[，,；;。]", rest)
        seg = rest[:stop.start()] if stop else rest
        names = [x for x in re.split(r"、", seg)]
        first = compact(names[0]) if len(names) > 1 else _cut_name(names[0])
        if not is_person_name(first):
            continue
        for i, raw in enumerate(names):
            name = compact(raw) if i < len(names) - 1 else _cut_name(raw)
            if is_person_name(name):
                pm = re.compile(r"\s*".join(map(re.escape, name))).search(text, p, s1)
                a_, b_ = (pm.start(), pm.end()) if pm else (p, p + len(raw.strip()))
                found.append((a_, b_, s0, s1, name, dept))


def _dept_person_lists(text, lo, hi, found):
    """<单位>A，<单位>B、C，以及<单位>D … in a sentence that says what they did."""
    for s_start in _sentence_starts(text, lo, hi):
        s0, s1 = sentence_bounds(text, s_start, lo, hi)
        sent = text[s0:s1]
        if "工作人员" in compact(sent) or "授予" in sent:
            continue
        body = re.sub(r"^\s*[一二三四五六七八九十]+、", "", sent)
        offset = s0 + (len(sent) - len(body))
        stop = re.search(r"等\s*\d|等\s*[一二三四五六七八九十]+个|受到|因为|因", body)
        head = body[:stop.start()] if stop else body
        items = [x for x in re.split(r"[，,、；;]|以及", head) if x.strip()]
        if len(items) < 1:
            continue
        dept = None
        got = []
        for raw in items:
            unit, person = split_unit_person(raw)
            if person and unit:
                dept = unit
                got.append((raw, person, dept))
            elif person and not unit and dept:
                got.append((raw, person, dept))
            elif unit and not person:
                dept = None
                got = got if got else []
        if got:
            pos = offset
            for raw, person, d in got:
                at = text.find(raw.strip(), pos, s1)
                at = at if at >= 0 else pos
                pm = re.compile(r"\s*".join(map(re.escape, person))).search(text, at, s1)
                a_, b_ = (pm.start(), pm.end()) if pm else (at, at + len(raw.strip()))
                found.append((a_, b_, s0, s1, person, d))
                pos = at + 1


def _sentence_starts(text, lo, hi):
    i = lo
    while i < hi:
        s0, s1 = sentence_bounds(text, i, lo, hi)
        if s1 <= i:
            i += 1
            continue
        yield s0
        i = s1 + 1 if s1 < hi and text[s1:s1 + 1] != "" else s1 + 1


_PAIR = re.compile(r"(?P<name>[\u4e00-\u9fff]{2,4})\s*[（(](?P<dept>[^（()）]{2,30})[)）]")


def _paren_pairs(text, lo, hi, found):
    for m in _PAIR.finditer(text, lo, hi):
        name = m.group("name")
        # the name is the last 2-4 characters after a separator
        pre = text[max(lo, m.start() - 1):m.start()]
        if not is_person_name(name) or not ends_with_dept_word(m.group("dept")):
            continue
        if pre and re.match(r"[\u4e00-\u9fff]", pre):
            continue
        s0, s1 = sentence_bounds(text, m.start(), lo, hi)
        found.append((m.start(), m.start() + len(name), s0, s1, name, m.group("dept").strip()))


def find_mentions(text: str, doc_id: str, ranges: list[tuple[int, int]], awards: list[Award] = ()) -> list[Mention]:
    found: list[tuple] = []
    for lo, hi in ranges:
        _staff_lists(text, lo, hi, found)
        _dept_person_lists(text, lo, hi, found)
        _paren_pairs(text, lo, hi, found)
    awarded = [(a.start, a.end) for a in awards if a.recipient_kind == "person"]
    award_spans = [(min(a.start, text.rfind("\n", 0, a.start)), a.end) for a in awards]
    out: list[Mention] = []
    seen = set()
    for at, end, s0, s1, person, dept in sorted(found):
        key = (person, s0)
        if key in seen:
            continue
        if any(a <= at < b for a, b in award_spans) and awarded:
            if any(a.recipient == person for a in awards):
                continue
        seen.add(key)
        sentence = text[s0:s1]
        what, word = _what(sentence)
        detail = word
        if what == "other":
            rk = re.search(r"前\s*[0-9一二三四五六七八九十]+\s*名", sentence)
            detail = compact(rk.group(0)) if rk else None
        out.append(Mention(f"{doc_id[:12]}-m{len(out) + 1}", doc_id, at, end, sentence, person,
                           compact(dept) if dept else None, what, detail))
    return out
