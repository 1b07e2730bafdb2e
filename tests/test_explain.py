"""The words a finding uses to say why a sum or a share does not hold."""
from tongbao.check.explain import left_out, nudged_to_100, transposition


def test_a_difference_equal_to_one_row_is_that_row_left_out():
    rows = [("甲区", 1582.0), ("乙区", 1436.0), ("丙区", 205.0)]
    assert "「丙区」" in left_out(3223, 3018, rows) and "漏计" in left_out(3223, 3018, rows)
    assert "多计" in left_out(3018, 3223, rows)
    assert left_out(3223, 3020, rows) is None  # 203 is no row's value
    assert left_out(10, 5, [("a", 5.0), ("b", 5.0)]) is None  # two rows fit: nothing to say


def test_swapped_digits_are_a_transposition():
    assert "3 与 4" in transposition(1243, 1234, 0) or "4 与 3" in transposition(1243, 1234, 0)
    assert "27 = 9 × 3" in transposition(89.6, 86.9, 1)
    assert transposition(1243, 1235, 0) is None  # not the same digits
    assert transposition(1324, 1243, 0) is None  # three digits moved, not two swapped


def test_shares_summing_to_exactly_100_against_their_roundings_were_nudged():
    exact = [100 / 3] * 3
    assert "100%" in nudged_to_100([33.3, 33.3, 33.4], exact, 1)
    assert nudged_to_100([33.3, 33.3, 33.3], exact, 1) is None  # rounded as printed
    assert nudged_to_100([30.0, 30.0, 40.0], exact, 1) is None  # too far off to be a nudge
