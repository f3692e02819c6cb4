"""Write the binary and non-UTF-8 import fixtures (XLSX, BOM and GBK CSV) from the text ones.

Text fixtures under tests/data/adapters/ and tests/data/bad/ are written by hand; the files this
script makes cannot be (an XLSX is a zip, a GBK file is not UTF-8), so they are generated from
the rows below and committed together with this script. Run from the repository root:

    .venv/bin/python tests/data/make_fixtures.py
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl

DATA = Path(__file__).resolve().parent
GOOD = DATA / "adapters"
BAD = DATA / "bad"
FIXED_TIME = dt.datetime(2025, 1, 1)

Row = list[str | None]
CMEXAM_HEADER: Row = ["Question", "Options", "Answer", "Explanation"]
# None marks a blank row: the reader skips it but row numbers still count it.
CMEXAM_XLSX_ROWS: list[Row | None] = [
    CMEXAM_HEADER,
    ["患者服用头孢类抗菌药物期间饮酒后出现面部潮红、心悸，最可能的原因是",
     "A 双硫仑样反应\nB 过敏性休克\nC 低血糖\nD 酒精耐受", "A",
     "头孢类药物与乙醇可发生双硫仑样反应。"],
    None,
    None,
    ["下列哪些措施可以降低住院患者跌倒风险",
     "A.评估跌倒风险\nB.保持地面干燥，\n夜间保留照明\nC.让高危患者独自如厕\nD.合理使用床栏",
     "A,B,D", "选项 B 在单元格内换行。"],
    None,
    ["医务人员发现自己的用药差错后，正确的做法是",
     "Ａ．隐瞒不报\nＢ．及时报告并采取补救措施\nＣ．修改病历掩盖\nＤ．等患者发现后再处理", "Ｂ",
     "全角字母选项。"],
]
CMEXAM_BAD_XLSX_ROWS: list[Row | None] = [
    CMEXAM_HEADER,
    ["正常题目一", "A 甲\nB 乙\nC 丙", "A", ""],
    None,
    None,
    ["正常题目二", "A 甲\nB 乙\nC 丙", "B", ""],
    None,
    ["答案不在选项中的题目", "A 甲\nB 乙\nC 丙\nD 丁", "F", ""],
]
GENERIC_XLSX_ROWS: list[Row | None] = [
    ["题干", "选项A", "选项B", "选项C", "选项D", "答案", "维度"],
    ["医生在诊疗中发现患者疑似受到家庭暴力，较恰当的做法是", "视而不见",
     "依法记录并按规定报告，同时为患者提供帮助", "当众询问患者", "直接报警而不做任何记录",
     "B", "E02"],
    None,
    ["新生儿用药剂量应当", "按成人剂量减半", "按体重或体表面积计算并谨慎调整", "与成人相同", None,
     "B", "S06"],
]


def _write_xlsx(path: Path, rows: list[Row | None]) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "items"
    for row_no, row in enumerate(rows, start=1):
        for col_no, value in enumerate(row or [], start=1):
            if value is not None:
                sheet.cell(row=row_no, column=col_no, value=value)
    book.properties.created = FIXED_TIME
    book.properties.modified = FIXED_TIME
    book.save(path)


def _csv_text(rows: list[list[str]]) -> str:
    import csv
    import io

    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    return buf.getvalue()


def main() -> None:
    GOOD.mkdir(exist_ok=True)
    BAD.mkdir(exist_ok=True)
    _write_xlsx(GOOD / "cmexam_sample.xlsx", CMEXAM_XLSX_ROWS)
    _write_xlsx(GOOD / "generic_items.xlsx", GENERIC_XLSX_ROWS)
    _write_xlsx(BAD / "cmexam_blank_rows_bad_key.xlsx", CMEXAM_BAD_XLSX_ROWS)
    rows = [[str(c) for c in r] for r in CMEXAM_XLSX_ROWS if r is not None]
    # Excel's "CSV UTF-8" export: a byte-order mark and CRLF line ends.
    (GOOD / "cmexam_excel_bom.csv").write_bytes(b"\xef\xbb\xbf" + _csv_text(rows).encode())
    # Excel's plain "CSV" export on a Chinese Windows: GBK bytes.
    (BAD / "cmexam_gbk.csv").write_bytes(_csv_text(rows).encode("gbk"))
    (BAD / "generic_corrupt.xlsx").write_bytes(b"this is not a zip archive, just text\n")
    print(f"wrote fixtures under {GOOD} and {BAD}")


if __name__ == "__main__":
    main()
