"""The audit on the development set's text files, as `score.py findings` counts it: every `flag` claim
found, the two `soft` ones mentioned, and no error on a verified fact or a `no_flag` claim."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

DEVSET = Path(__file__).resolve().parent / "data" / "devset"


def test_devset_findings_reach_every_inconsistency_without_false_alarms(tmp_path):
    files = sorted(str(p) for p in DEVSET.glob("[0-9][0-9][0-9].txt"))
    extract = [sys.executable, "-c", "from tongbao.cli import app; app()", "extract", *files, "--out", str(tmp_path),
               "--format", "csv", "--workers", "1"]
    subprocess.run(extract, check=True, capture_output=True)
    score = subprocess.run([sys.executable, str(DEVSET / "score.py"), "findings", str(tmp_path),
                            *map(str, sorted(DEVSET.glob("*.truth.json")))], capture_output=True, text=True)
    out = score.stdout
    found = re.search(r"inconsistencies found (\d+)/(\d+) .*false alarms (\d+)", out)
    soft = re.search(r"suspect claims mentioned: (\d+)/(\d+)", out)
    assert found and soft, out
    assert found.group(1) == found.group(2) == "12" and found.group(3) == "0", out
    assert soft.group(1) == soft.group(2) == "2", out
    assert score.returncode == 0, out
