"""Number parsing: full-width digits, thousands separators, percents, Chinese numerals, signs."""
import cn2an
from hypothesis import given, strategies as st

from tongbao.normalize.numbers import parse_number
from tongbao.normalize.text import clean_label, normalize_chars

FULLWIDTH = str.maketrans("0123456789.%-", "０１２３４５６７８９．％－")


@given(st.integers(min_value=-10**9, max_value=10**9))
def test_integers_plain_fullwidth_and_grouped(n):
    assert parse_number(str(n)).value == n
    assert parse_number(str(n).translate(FULLWIDTH)).value == n
    assert parse_number(f"{n:,}").value == n


@given(st.integers(min_value=0, max_value=10**6), st.integers(min_value=0, max_value=4))
def test_decimals_and_percent_keep_printed_precision(units, decimals):
    text = f"{units / 10**decimals:.{decimals}f}"
    num = parse_number(text + "%")
    assert num.unit == "%"
    assert num.decimals == decimals
    assert abs(num.value - units / 10**decimals) < 1e-9


@given(st.integers(min_value=1, max_value=99_999_999))
def test_chinese_numerals(n):
    text = cn2an.an2cn(n)
    assert parse_number(text).value == n


def test_examples_from_bulletins():
    assert parse_number("一千二百").value == 1200
    assert parse_number("0.00%").value == 0 and parse_number("0.00%").decimals == 2
    assert parse_number("-3").value == -3
    assert parse_number("12.5%").value == 12.5
    assert parse_number("3.5万").value == 35000 and parse_number("3.5万").half_ulp == 500


@given(st.text(alphabet="市局委办中心人社防", min_size=1, max_size=6))
def test_words_are_not_numbers(word):
    assert parse_number(word) is None


def test_chinese_comma_is_never_a_thousands_separator():
    assert parse_number("1，234") is None
    assert normalize_chars("1，234") == "1，234"


def test_document_number_brackets_survive_normalization():
    assert clean_label("明政务督〔２０２２〕９号") == "明政务督〔2022〕9号"
    assert clean_label("市自然资源局(含 市不动产登记中 心)") == "市自然资源局(含市不动产登记中心)"
