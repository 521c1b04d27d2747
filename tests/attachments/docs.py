"""Attachment files made by maintained libraries: PDFs with Chinese text (reportlab's built-in CJK
CID font STSong-Light, no font file needed), a PDF of an image only (a scan), DOCX (python-docx) and
XLSX (openpyxl), legacy XLS (xlwt)."""

from __future__ import annotations

import io


def pdf(*lines: str) -> bytes:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    out = io.BytesIO()
    page = canvas.Canvas(out)
    page.setFont("STSong-Light", 12)
    for i, line in enumerate(lines):
        page.drawString(72, 760 - 20 * i, line)
    page.save()
    return out.getvalue()


def scanned_pdf() -> bytes:
    """A page that is only a picture (what a scanner makes): no text layer."""
    from PIL import Image
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    image = Image.new("L", (200, 100), 255)
    for x in range(20, 180):
        image.putpixel((x, 50), 0)
    out = io.BytesIO()
    page = canvas.Canvas(out)
    page.drawImage(ImageReader(image), 72, 600, width=200, height=100)
    page.save()
    return out.getvalue()


def docx(*paragraphs: str, table: list[list[str]] | None = None) -> bytes:
    import docx as python_docx

    document = python_docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, text in enumerate(row):
                grid.cell(r, c).text = text
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def xlsx(rows: list[list[object]]) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "项目表"
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def xls(rows: list[list[object]]) -> bytes:
    """A legacy Excel 97-2003 (BIFF8) workbook: xlwt, the one library that still writes the format."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("预算表")
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            sheet.write(r, c, cell)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
