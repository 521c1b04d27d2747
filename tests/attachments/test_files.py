"""What an attachment is and what it says: the type from the bytes (not the extension), the text
of PDF, DOCX, XLSX; a scanned PDF marked as such; a file whose type does not fit its name flagged;
hostile bytes never raise."""

from __future__ import annotations

import pytest

from crawler.attachments import document_links, extract_text, mismatch, sniff
from crawler.model import Release
from crawler.net.urlpolicy import SiteScope
from tests.attachments import docs


def test_a_pdf_with_chinese_text_reads_as_its_text():
    data = docs.pdf("关于印发衢州市数字化改革实施方案的通知", "预算资金共计三百万元。")
    assert sniff(data) == "pdf"
    got = extract_text(data, "pdf")
    assert got.status == "ok"
    assert "数字化改革实施方案" in (got.text or "") and "三百万元" in (got.text or "")


def test_a_scanned_pdf_is_marked_scanned_not_empty():
    got = extract_text(docs.scanned_pdf(), "pdf")
    assert got == type(got)(None, "scanned")


def test_docx_paragraphs_and_tables_and_xlsx_cells_are_read():
    data = docs.docx("香榧产业项目清单", table=[["项目", "金额"], ["古树保护", "120万元"]])
    assert sniff(data) == "docx"
    text = extract_text(data, "docx").text or ""
    assert "香榧产业项目清单" in text and "古树保护" in text and "120万元" in text
    book = docs.xlsx([["项目名称", "金额"], ["城市书房", 35]])
    assert sniff(book) == "xlsx"
    got = extract_text(book, "xlsx")
    assert got.status == "ok" and "城市书房" in (got.text or "") and "35" in (got.text or "")


def test_a_legacy_xls_is_read_by_xlrd():
    data = docs.xls([["项目名称", "金额"], ["乡村振兴示范带", 260]])
    assert sniff(data) == "xls"
    got = extract_text(data, "xls")
    assert got.status == "ok" and "乡村振兴示范带" in (got.text or "") and "260" in (got.text or "")


@pytest.mark.parametrize(
    "data,kind",
    [
        (b"<!DOCTYPE html><html><body>404</body></html>", "html"),
        (b"MZ\x90\x00" + b"\x00" * 60, "exe"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "WordDocument".encode("utf-16-le"), "doc"),
        (b"PK\x03\x04broken zip", "zip"),
        (b"", "unknown"),
    ],
)
def test_the_type_comes_from_the_bytes(data, kind):
    assert sniff(data) == kind


def test_a_file_whose_type_does_not_fit_its_extension_is_named():
    assert mismatch("http://h/a/通知.pdf", "html") == ".pdf is html"
    assert mismatch("http://h/a/x.doc", "exe") == ".doc is exe"
    assert mismatch("http://h/down.jsp?id=3", "exe") == "a exe file"
    assert mismatch("http://h/a/x.pdf", "pdf") is None
    assert mismatch("http://h/a/x.doc", "docx") is None  # renamed Office files are common, not hostile


@pytest.mark.parametrize("kind", ["pdf", "docx", "xlsx", "xls"])
def test_hostile_bytes_are_an_error_not_an_exception(kind):
    got = extract_text(b"%PDF-1.4\n" + b"\xff" * 500 + b"PK\x03\x04", kind)
    assert got.text is None and got.status.startswith(("error:", "empty"))


def test_an_ofd_is_told_from_other_zips():
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("OFD.xml", "<ofd:OFD/>")
        archive.writestr("Doc_0/Document.xml", "<ofd:Document/>")
    assert sniff(out.getvalue()) == "ofd"
    assert mismatch("http://h/a/公告.ofd", "ofd") is None


def test_ofd_and_wps_are_stored_without_text():
    assert extract_text(b"anything", "ofd").status == "unsupported"
    assert extract_text(b"anything", "wps").status == "unsupported"


def test_only_document_links_on_the_sites_hosts_or_file_hosts_are_fetched():
    release = Release(
        attachments=[
            {"name": "方案.pdf", "url": "http://www.qz.gov.cn/files/a.pdf"},
            {"name": "清单", "url": "http://www.qz.gov.cn/down.jsp?f=b.docx"},
            {"name": "图片.zip", "url": "http://www.qz.gov.cn/files/c.zip"},
            {"name": "他站.pdf", "url": "http://spam.example.com/x.pdf"},
            {"name": "文件服务器.xlsx", "url": "https://files.zj.gov.cn/d.xlsx"},
            {"name": "方案.pdf", "url": "http://www.qz.gov.cn/files/a.pdf"},
            {"name": "ftp", "url": "ftp://www.qz.gov.cn/e.pdf"},
        ]
    )
    scope = SiteScope(["http://www.qz.gov.cn", "files.zj.gov.cn"])
    assert [a["url"] for a in document_links(release, scope)] == [
        "http://www.qz.gov.cn/files/a.pdf",
        "http://www.qz.gov.cn/down.jsp?f=b.docx",
        "https://files.zj.gov.cn/d.xlsx",
    ]
