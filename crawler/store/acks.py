"""Reviewed flags: ``govwatch ack KEY RULE`` marks the current evidence of one rule on one release as
reviewed. A reviewed (rule, evidence) pair raises no ``tampered`` again; a changed evidence (the
spam edited, another hidden link added) is a new finding and is reported as usual.

Table ``acks`` (key, rule, evidence, acked_at), migration ``m007_acks``; this module reads and
writes it (``Store.ack``, ``record``), the upgrade path moves its rows when a release is re-keyed.
"""

from __future__ import annotations

from sqlite_utils import Database

from crawler.store.codec import loads, select


def current_evidence(db: Database, key: str, rule: str) -> list[str]:
    """The evidence of ``rule``'s critical flags on the release's last fetches (each URL) and its
    current version."""
    found: list[str] = []
    for row in db.query("SELECT critical_flags FROM release_urls WHERE key = ?", [key]):
        for pair in loads(row["critical_flags"], []):
            if len(pair) == 2 and pair[0] == rule and pair[1] not in found:
                found.append(pair[1])
    for row in db.query(
        "SELECT v.flags FROM versions v JOIN releases r ON r.key = v.key AND r.current_version = v.version "
        "WHERE r.key = ?",
        [key],
    ):
        for flag in loads(row["flags"], []):
            evidence = flag.get("evidence") or ""
            if flag.get("rule") == rule and flag.get("severity") == "critical" and evidence not in found:
                found.append(evidence)
    return found


def acknowledge(db: Database, key: str, rule: str, ts: str) -> list[str]:
    """Store every current evidence of ``rule`` on ``key`` as reviewed; the evidence acknowledged."""
    evidence = current_evidence(db, key, rule)
    for text in evidence:
        db.execute(
            "INSERT OR IGNORE INTO acks (key, rule, evidence, acked_at) VALUES (?, ?, ?, ?)",
            [key, rule, text, ts],
        )
    return evidence


def acknowledged(db: Database, key: str) -> set[tuple[str, str]]:
    """``(rule, evidence)`` pairs reviewed on ``key``."""
    return {
        (row["rule"], row["evidence"])
        for row in select(db, "SELECT rule, evidence FROM acks WHERE key = ?", [key])
    }
