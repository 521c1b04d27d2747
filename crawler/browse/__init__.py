"""Browse the archive in Datasette: ``govwatch serve`` (README.md, "Browse").

- ``cli.serve`` runs Datasette 0.65 (programmatically, served by uvicorn) over the live database,
  read-only for the web user, with the plugin and the metadata below keyed by the database's name.
- ``plugin`` — the Datasette hooks: SQL functions ``bigram_query(q)`` / ``bigrams(text)``, the
  releases table's search box (the typed query becomes a bigram phrase query), the month facet,
  links from release keys to their history, no write permissions, the diff and Atom routes.
- ``metadata`` — titles, Chinese/English descriptions, facets and sort orders; ``queries`` — the
  canned queries (search, latest events, history, recently changed, tampered, failing sources).
- ``views`` — ``/-/govwatch/diff`` (a character-level diff of two versions, escaped) and
  ``/-/govwatch/events.atom`` (an Atom feed of recent events).

Everything shown comes from the open web and may be hostile: it is always escaped.
"""
