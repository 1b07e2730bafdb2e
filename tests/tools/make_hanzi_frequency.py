"""Rebuild tongbao/data/hanzi_frequency.txt: the commonest Chinese characters, ranked, with traditional forms.

Usage: python tests/tools/make_hanzi_frequency.py PATH/TO/jieba/dict.txt > tongbao/data/hanzi_frequency.txt

The ranking is jieba's dictionary (MIT licence; ``pip download --no-deps --no-binary=:all: jieba``,
the file jieba/dict.txt of the source archive): a character's count is the sum of the counts of the
words holding it. Only characters of GB2312 are ranked, as jieba's list also holds a few entries
that are themselves mojibake (UTF-8 read as GBK) which must never count as common. Each simplified
character is followed by the traditional characters OpenCC's t2s turns into it, which share its rank.
Nothing of this runs at run time: tongbao reads the file it writes.
"""
from __future__ import annotations

import collections
import sys

import opencc

TOP = 3500


def gb2312(ch: str) -> bool:
    try:
        ch.encode("gb2312")
        return True
    except UnicodeEncodeError:
        return False


def main(path: str) -> None:
    counts: collections.Counter[str] = collections.Counter()
    with open(path, encoding="utf-8") as f:
        for line in f:
            word, freq, *_ = line.split()
            for ch in word:
                if "\u4e00" <= ch <= "\u9fff" and gb2312(ch):
                    counts[ch] += int(freq)
    ranked = [ch for ch, _ in counts.most_common(TOP)]
    t2s = opencc.OpenCC("t2s")
    # every character of the BMP's CJK blocks converted on its own, one a line (compatibility
    # ideographs are left out: the reader folds them to their unified form)
    candidates = [chr(c) for r in ((0x3400, 0x4DC0), (0x4E00, 0xA000)) for c in range(*r)]
    converted = t2s.convert("\n".join(candidates)).split("\n")
    traditional: dict[str, list[str]] = collections.defaultdict(list)
    for src, dst in zip(candidates, converted):
        if dst != src and len(dst) == 1:
            traditional[dst].append(src)
    out = sys.stdout
    out.write("# The %d commonest Chinese characters, commonest first: one simplified character a line, then\n" % TOP)
    out.write("# (after a tab) the traditional characters OpenCC t2s maps to it, which share its rank.\n")
    out.write("# Ranked by jieba's dictionary (MIT licence), GB2312 characters only; built by\n")
    out.write("# tests/tools/make_hanzi_frequency.py. tongbao.extract.encoding uses it to judge decoded text.\n")
    for ch in ranked:
        out.write(ch + "\t" + "".join(traditional.get(ch, ())) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
