"""Character-level diffs of release versions, suited to Chinese text (diff-match-patch).

A version is compared as text: its labelled fields, one per line, then the body. ``diff_main`` works
per character and ``diff_cleanupSemantic`` merges only noise, so one changed character shows as one
changed character, not as a rewritten paragraph.
"""

from __future__ import annotations

import html
from typing import Any

from diff_match_patch import diff_match_patch

#: the fields shown in a diff, with the labels a Chinese disclosure page uses
FIELD_LABELS = (
    ("index_no", "索引号"),
    ("title", "标题"),
    ("publisher", "发布机构"),
    ("written_date", "成文日期"),
    ("published_at", "发布日期"),
    ("doc_number", "文号"),
    ("category", "主题分类"),
    ("validity", "有效性"),
    ("unified_no", "统一编号"),
)

Ops = list[tuple[int, str]]  # (-1 deleted | 0 equal | 1 inserted, text)


def version_text(fields: dict[str, Any]) -> str:
    """The text a diff compares: the labelled fields, the attachment names, then the paragraphs."""
    lines = [f"{label}：{fields.get(name) or ''}" for name, label in FIELD_LABELS]
    names = [a.get("name") or "" for a in fields.get("attachments") or []]
    if names:
        lines.append("附件：" + "、".join(names))
    lines.append("")
    lines.extend(fields.get("paragraphs") or [])
    return "\n".join(lines)


def changed_fields(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    names = [name for name, _ in FIELD_LABELS] + ["paragraphs", "attachments"]
    return [n for n in names if (before.get(n) or None) != (after.get(n) or None)]


def char_diff(before: str, after: str) -> Ops:
    dmp = diff_match_patch()
    dmp.Diff_Timeout = 2.0
    ops = dmp.diff_main(before, after)
    dmp.diff_cleanupSemantic(ops)
    return [(int(op), text) for op, text in ops]


def short_diff(ops: Ops, *, context: int = 20, limit: int = 2000) -> str:
    """A compact one-string rendering: ``…context[-deleted-]{+inserted+}context…``."""
    parts: list[str] = []
    last = len(ops) - 1
    for i, (op, text) in enumerate(ops):
        if op == -1:
            parts.append(f"[-{text}-]")
        elif op == 1:
            parts.append(f"{{+{text}+}}")
        elif i == 0:
            parts.append(text if len(text) <= context else "…" + text[-context:])
        elif i == last:
            parts.append(text if len(text) <= context else text[:context] + "…")
        else:
            parts.append(text if len(text) <= 2 * context else text[:context] + "…" + text[-context:])
    out = "".join(parts)
    return out if len(out) <= limit else out[: limit - 1] + "…"


def html_diff(ops: Ops) -> str:
    """An HTML fragment: ``<ins>``/``<del>`` around changes, everything escaped, newlines kept."""
    out = []
    for op, text in ops:
        escaped = html.escape(text).replace("\n", "<br>\n")
        if op == -1:
            out.append(f"<del>{escaped}</del>")
        elif op == 1:
            out.append(f"<ins>{escaped}</ins>")
        else:
            out.append(escaped)
    return '<div class="govwatch-diff">' + "".join(out) + "</div>"


def diff_details(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """``details`` of a ``changed`` event: the short diff and the names of the fields that changed."""
    ops = char_diff(version_text(before), version_text(after))
    return {"diff": short_diff(ops), "fields": changed_fields(before, after)}
