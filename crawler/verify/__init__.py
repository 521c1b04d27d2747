"""A copy of a page checked against the archive of what the site published (docs/ARCHITECTURE.md,
"Verifying a copy").

    from crawler.verify import verify, Verdict, VerifyError
    verdict = verify(body, served_url, store.archive())   # faithful | differs | not_found

Modules: ``text`` (what a faithful copy may change, folded away), ``compare`` (a copy against one
version: passages inserted, deleted, altered; pure), ``identify`` (which release the copy claims to
be, and how sure), ``verdict`` (the lookup and the closest version).
"""

from crawler.verify.compare import Comparison, Passage, compare
from crawler.verify.verdict import EXIT, EXIT_ERROR, Verdict, VerifyError, verify

__all__ = ["EXIT", "EXIT_ERROR", "Comparison", "Passage", "Verdict", "VerifyError", "compare", "verify"]
