"""Importers: other texts in, a canonical Markdown source out (never an export).

``scraped`` recovers a source from a document site's scraped copy, through the stages ``chrome``,
``chunks``, ``structure``, ``punctuation``, ``spun_words`` (with its table ``spun_words.toml``)
and ``quotes``, into an ``ImportResult`` (``result``); ``review`` renders the page a person checks
the import on; ``command`` is the ``import`` command that writes both.
"""
