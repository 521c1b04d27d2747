"""Everything govwatch requests goes through here: the URL policy (``urlpolicy``) and, for requests to
hosts outside the watched site, an HTTP client that checks every address it connects to (``guarded``)."""
