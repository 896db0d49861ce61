"""Previews from a bounded prefix: tables with guessed column types, JSON, text, markdown; images and PDFs inline."""

import json

import pytest
from django.test import Client

from sciport.core import storage
from sciport.datasets.files import previews
from sciport.datasets.tests.files_helpers import in_english  # noqa: F401 - a fixture, used through pytestmark

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("local_storage", "in_english")]

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)


@pytest.fixture
def preview(make_draft, publish):
    def run(path: str, data: bytes) -> dict:
        version = publish(make_draft(files={path: data}))
        file = version.files.get()
        answer = Client().get(f"/api/v1/files/{file.public_id}/preview")
        assert answer.status_code == 200, answer.content
        return answer.json()

    return run


def test_a_csv_shows_its_first_rows_with_column_types(preview):
    csv = b"station,readings,pm25,day,note\nA,24,12.5,2025-01-01,ok\nB,23,NA,2025-01-02,\nC,-1,7e-3,2025/01/03,late\n"
    shown = preview("data/readings.csv", csv)
    assert shown["kind"] == "table"
    assert shown["delimiter"] == ","
    assert [(c["name"], c["type"]) for c in shown["columns"]] == [
        ("station", "text"),
        ("readings", "int"),
        ("pm25", "float"),
        ("day", "date"),
        ("note", "text"),
    ]
    assert shown["rows"][0] == ["A", "24", "12.5", "2025-01-01", "ok"]
    assert shown["truncated"] is False


def test_a_gb18030_csv_from_a_chinese_spreadsheet_reads_right(preview):
    csv = "站点,浓度,日期\n徐家汇,35,2025-03-01\n浦东,41,2025-03-02\n".encode("gb18030")
    shown = preview("观测.csv", csv)
    assert shown["encoding"] == "gb18030"
    assert [c["name"] for c in shown["columns"]] == ["站点", "浓度", "日期"]
    assert [c["type"] for c in shown["columns"]] == ["text", "int", "date"]
    assert shown["rows"][1] == ["浦东", "41", "2025-03-02"]


def test_a_tsv_is_split_on_tabs_and_long_tables_are_cut(preview):
    rows = "\n".join(f"{number}\t{number * 0.5}" for number in range(5000))
    shown = preview("big.tsv", ("n\thalf\n" + rows + "\n").encode())
    assert shown["delimiter"] == "\t"
    assert len(shown["rows"]) == previews.TABLE_ROWS
    assert shown["truncated"] is True
    assert [c["type"] for c in shown["columns"]] == ["int", "float"]


def test_only_a_bounded_prefix_of_a_huge_file_is_read(make_draft, publish, monkeypatch):
    version = publish(make_draft(files={"huge.csv": b"a,b\n" + b"1,2\n" * 200_000}))
    file = version.files.get()
    asked = []
    real = storage.open_chunks

    def spy(name, *args, **kwargs):
        asked.append(kwargs.get("length"))
        return real(name, *args, **kwargs)

    monkeypatch.setattr(storage, "open_chunks", spy)
    shown = Client().get(f"/api/v1/files/{file.public_id}/preview").json()
    assert asked == [previews.PREFIX_BYTES]
    assert shown["truncated"] is True
    assert shown["rows"][-1] == ["1", "2"]  # the row cut by the prefix is left out


def test_json_is_pretty_printed_and_checked(preview):
    shown = preview("meta.json", json.dumps({"station": "A", "values": [1, 2], "empty": {}}).encode())
    assert shown["kind"] == "json"
    assert shown["valid"] is True
    assert shown["text"] == '{\n  "station": "A",\n  "values": [\n    1,\n    2\n  ],\n  "empty": {}\n}'
    broken = preview("broken.json", b'{"a": [1, 2')
    assert broken["valid"] is False
    assert broken["text"] == '{\n  "a": [\n    1,\n    2'


def test_the_start_of_a_large_json_file_is_shown_re_indented(preview):
    items = [{"id": number, "name": f'item {number}, "quoted"'} for number in range(20_000)]
    shown = preview("large.json", json.dumps(items).encode())
    assert shown["valid"] is None
    assert shown["truncated"] is True
    assert shown["text"].startswith('[\n  {\n    "id": 0,\n    "name": "item 0, \\"quoted\\""\n  },')


def test_markdown_is_rendered_without_raw_html(preview):
    shown = preview("README.md", b"# Stations\n\n*A* and <script>alert(1)</script> [x](javascript:alert(1))\n")
    assert shown["kind"] == "markdown"
    assert "<h1>Stations</h1>" in shown["html"]
    assert "<em>A</em>" in shown["html"]
    assert "<script>" not in shown["html"]
    assert 'href="javascript' not in shown["html"]


def test_plain_text_shows_its_first_kilobytes(preview):
    shown = preview("notes.txt", "第一行\n".encode() * 10_000)
    assert shown["kind"] == "text"
    assert len(shown["text"]) == previews.TEXT_CHARS
    assert shown["truncated"] is True


def test_images_and_pdfs_are_shown_by_the_browser_from_inline_content(preview, make_draft, publish):
    image = preview("figure.png", PNG)
    assert image["kind"] == "image"
    assert image["media_type"] == "image/png"
    shown = Client().get(image["url"])
    assert shown["Content-Type"] == "image/png"
    assert shown["Content-Disposition"].startswith("inline")
    assert b"".join(shown.streaming_content) == PNG
    pdf = preview("paper.pdf", b"%PDF-1.4\n%%EOF\n")
    assert (pdf["kind"], pdf["media_type"]) == ("pdf", "application/pdf")


def test_binary_and_unknown_files_have_no_preview(preview):
    assert preview("data.bin", b"\x00\x01\x02") == {"kind": "none", "reason": "unsupported"}
    assert preview("fake.txt", b"text\x00with a NUL") == {"kind": "none", "reason": "binary"}
    assert preview("drawing.svg", b"<svg onload='alert(1)'/>") == {"kind": "none", "reason": "unsupported"}


def test_an_oversized_image_gets_no_inline_preview():
    assert previews.kind_of("image/png", previews.IMAGE_MAX_BYTES + 1) == "none"
    assert previews.no_preview_reason("image/png") == "too_large"
