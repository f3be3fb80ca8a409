"""Reading and checking sales histories: columns, trimming, and one-line errors."""

import numpy as np
import pytest

from sim.calibration.data import SalesDataError, read_sales_csv


def write(tmp_path, text, name="sales.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_reads_a_yearly_series(tmp_path):
    text = "year,sales\n" + "".join(f"{1949 + i},{v}\n" for i, v in
                                    enumerate([96, 195, 238, 380, 1045, 1230, 1500]))
    s = read_sales_csv(write(tmp_path, text))
    assert s.n == 7 and s.period_column == "year"
    assert s.is_calendar_years and s.period_step == 1.0
    assert s.sales[0] == 96 and s.sales[-1] == 1500
    assert s.price is None and s.advertising is None
    assert s.trim_note() is None


def _padded(tmp_path, lead, trail, n=10):
    # An index 1..N in a column named 'year' (as in the IBM generation files).
    values = [0] * lead + [880 + 10 * i for i in range(n)] + [0] * trail
    text = "year,sales\n" + "".join(f"{i + 1},{v}\n" for i, v in enumerate(values))
    return read_sales_csv(write(tmp_path, text))


def test_leading_zero_padding_is_trimmed(tmp_path):
    s = _padded(tmp_path, 5, 0)
    assert s.trimmed_leading == [1.0, 2.0, 3.0, 4.0, 5.0] and s.trimmed_trailing == []
    assert s.periods[0] == 6 and s.sales[0] == 880 and s.n == 10
    assert not s.is_calendar_years  # 'year' holds a period index here
    assert "5 leading zero-sales periods (1..5)" in s.trim_note()


def test_trailing_zero_padding_is_trimmed(tmp_path):
    s = _padded(tmp_path, 0, 3, n=21)
    assert s.trimmed_trailing == [22.0, 23.0, 24.0] and s.trimmed_leading == []
    assert s.n == 21
    assert "3 trailing zero-sales periods (22..24)" in s.trim_note()


def test_zeros_inside_the_series_are_data(tmp_path):
    s = read_sales_csv(write(tmp_path, "period,sales\n1,1\n2,3\n3,0\n4,9\n5,15\n6,20\n"))
    assert list(s.sales) == [1, 3, 0, 9, 15, 20] and s.trim_note() is None


def test_non_regular_files_and_row_cap(tmp_path):
    import os

    with pytest.raises(SalesDataError, match="not a regular file"):
        read_sales_csv("/dev/zero")
    if hasattr(os, "mkfifo"):
        os.mkfifo(tmp_path / "pipe.csv")
        with pytest.raises(SalesDataError, match="not a regular file"):
            read_sales_csv(tmp_path / "pipe.csv")
    rows = "".join(f"{i},1\n" for i in range(1, 10_002))
    with pytest.raises(SalesDataError, match="more than 10,000 data rows"):
        read_sales_csv(write(tmp_path, "t,sales\n" + rows))


def test_period_column_by_name_or_first(tmp_path):
    s = read_sales_csv(write(tmp_path, "Sales,Period\n5,1\n9,2\n12,3\n8,4\n"))
    assert s.period_column == "Period" and list(s.sales) == [5, 9, 12, 8]
    s = read_sales_csv(write(tmp_path, "quarter,sales\n1,5\n2,9\n3,12\n4,8\n"))
    assert s.period_column == "quarter" and list(s.periods) == [1, 2, 3, 4]


def test_optional_mix_columns(tmp_path):
    s = read_sales_csv(write(tmp_path, "t,sales,price,advertising\n1,5,10,1\n2,9,9,1\n"
                                       "3,12,8,2\n4,8,8,2\n"))
    np.testing.assert_array_equal(s.price, [10, 9, 8, 8])
    np.testing.assert_array_equal(s.advertising, [1, 1, 2, 2])


@pytest.mark.parametrize("text, fragment", [
    ("", "file is empty"),
    ("year,units\n1,5\n2,6\n", "missing column 'sales'"),
    ("year;sales\n1;5\n2;6\n", "looks semicolon-separated: write it with commas"),
    ("year\tsales\n1\t5\n2\t6\n", "looks tab-separated"),
    ("sales\n5\n6\n7\n8\n", "missing period column"),
    ("year,sales\n1,5\n2,abc\n3,7\n4,8\n", "line 3, column 'sales': 'abc' is not a number"),
    ("year,sales\n1,5\n2,nan\n3,7\n4,8\n", "line 3, column 'sales': 'nan' is not a finite"),
    ("year,sales\n1,5\nx,6\n3,7\n4,8\n", "line 3, column 'year': 'x' is not a number"),
    ("year,sales\n1,5\n2,-6\n3,7\n4,8\n", "line 3, column 'sales': -6 is negative"),
    ("year,sales\n1,0\n2,5\n3,7\n4,8\n5,0\n", "3 non-zero periods; at least 4"),
    ("year,sales\n1,5\n3,6\n2,7\n4,8\n", "line 4, column 'year': period 2 does not increase"),
    ("year,sales\n1,5\n1,6\n2,7\n3,8\n", "period 1 does not increase on the previous 1"),
    ("year,sales\n1,5\n2,6\n4,7\n5,8\n", "line 4, column 'year': period 4 breaks the step"),
    ("year,sales\n1,5\n2,6,9\n3,7\n4,8\n", "line 3 has 3 fields, the header has 2"),
    ("year,sales,price\n1,5,1\n2,6,0\n3,7,1\n4,8,1\n", "line 3, column 'price': 0 must be > 0"),
])
def test_bad_files_raise_one_line_naming_the_problem(tmp_path, text, fragment):
    path = write(tmp_path, text)
    with pytest.raises(SalesDataError) as info:
        read_sales_csv(path)
    message = str(info.value)
    assert fragment in message
    assert message.startswith(str(path)) and "\n" not in message


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(SalesDataError, match="no such file"):
        read_sales_csv(tmp_path / "nope.csv")
    with pytest.raises(SalesDataError, match="is a directory"):
        read_sales_csv(tmp_path)


def test_binary_file(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(b"\xff\xfe\x00\x81garbage")
    with pytest.raises(SalesDataError, match="not a text CSV"):
        read_sales_csv(path)
