"""User rules in YAML and the rules a document states run through one engine."""
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tongbao.check.rules import Rule, RuleError, load_rules, run_rules
from tongbao.cli import app
from tongbao.pipeline import process_file

SEED = Path(__file__).resolve().parent.parent / "corpus" / "004_4b200b6a30fe016d.txt"


def test_user_formula_over_named_columns(tmp_path):
    rules_file = tmp_path / "rules.yaml"
    rules_file.write_text(
        "rules:\n"
        "  - name: 办件量合计\n    table: 附件3\n    formula: 合计 == 行政审批 + 便民服务 + 公共服务 + 收费\n"
        "  - name: 满分不超过 110\n    table: 附件1\n    formula: 得分 <= 101\n    severity: warning\n",
        encoding="utf-8")
    rules = load_rules(rules_file)
    doc = process_file(SEED, rules)
    by_rule = {}
    for c in doc.checks:
        if c.check == "user_rule":
            by_rule.setdefault(c.message.split("规则「")[1].split("」")[0], []).append(c.severity)
    assert by_rule["办件量合计"] == ["pass"] * 27  # every body row, 合计 row excluded
    assert by_rule["满分不超过 110"].count("warning") == 4  # the four rows scoring 102


def test_col_function_and_bare_names():
    rule = Rule(name="星级合计", formula="col('合计') >= 五星", table="附件4")
    doc = process_file(SEED)
    assert {f.severity for f in run_rules(doc, [rule])} == {"pass"}


@pytest.mark.parametrize("formula", ["合计 +", "合计", "__import__('os') == 1", "合计 == 1 == 2"])
def test_bad_formulas_are_refused_clearly(formula):
    with pytest.raises(RuleError):
        rule = Rule(name="bad", formula=formula)
        run_rules(process_file(SEED), [rule])


def test_cli_rules_option(tmp_path):
    rules_file = tmp_path / "r.yaml"
    rules_file.write_text("- name: 不可能\n  table: 附件3\n  formula: 合计 < 0\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["audit", str(SEED), "--rules", str(rules_file), "--scheduler", "serial"])
    assert result.exit_code == 1 and "不可能" in result.output
    broken = tmp_path / "broken.yaml"
    broken.write_text("- name: x\n  formula: 合计 +\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["audit", str(SEED), "--rules", str(broken)])
    assert result.exit_code == 2 and "not an expression" in result.output


def test_the_readme_rule_example_runs(tmp_path):
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    block = readme.split("```yaml\n", 1)[1].split("```", 1)[0]
    (tmp_path / "rules.yaml").write_text(block, encoding="utf-8")
    rules = load_rules(tmp_path / "rules.yaml")
    corpus = SEED.parent
    volumes = process_file(SEED, rules)
    assert {c.severity for c in volumes.checks if c.check == "user_rule"} == {"pass"}
    duty = process_file(corpus / "000_83eaf865cf8a629d.txt", rules)
    verified = [c.message for c in duty.checks if c.check == "user_rule" and c.severity == "pass"]
    assert any("「市体育局」" in m for m in verified)
    assert not [c for c in duty.checks if c.check == "user_rule" and c.severity == "error"]


def test_a_rule_that_cannot_be_computed_is_reported_not_raised():
    rule = Rule(name="除以零", formula="合计 / 五星 >= 0", table="附件4")
    results = run_rules(process_file(SEED), [rule])
    assert any(f.severity == "info" and "无法计算" in f.message for f in results)


@pytest.mark.parametrize("formula, rows, says", [
    ("合计 == " + "-" * 100 + "行政审批", None, "too large"),
    ("合计 == " + "abs(" * 30 + "行政审批" + ")" * 30, None, "too large"),
    ("合计 == " + " + ".join(["行政审批"] * 300), None, "longer than"),
    ("合计 == max()", None, "takes 1 to 8 arguments"),
    ("合计 == 99999999999999999999 * 行政审批", None, "is not a number"),
    ('合计 == col("")', None, "column's label"),
    ("合计 == round(行政审批, 1000000)", None, "digits"),
    ("合计 == 行政审批", "^(a+)+$", "exponential"),
    ("合计 == 行政审批", "(", "not a regular expression"),
])
def test_hostile_rules_are_refused_with_one_line_before_any_work(tmp_path, formula, rows, says):
    import yaml
    path = tmp_path / "rules.yaml"
    rule = {"name": "r", "formula": formula, **({"rows": rows} if rows else {})}
    path.write_text(yaml.safe_dump({"rules": [rule]}, allow_unicode=True), encoding="utf-8")
    with pytest.raises(RuleError) as err:
        load_rules(path)
    assert says in str(err.value) and "\n" not in str(err.value)


def test_an_overflowing_rule_is_a_note_not_a_crash():
    rule = Rule(name="big", formula="合计 == 行政审批 * 1000000000000 * 1000000000000 * 1000000000000 * 1000000000000")
    doc = process_file(SEED)
    found = run_rules(doc, [rule])
    assert found and all(f.severity in ("info", "error", "pass") for f in found)
