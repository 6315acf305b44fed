"""One adapter per social platform and one importer per platform data-export format.

What lives here (no storage, no web: the archive and the job runner consume these types):

* ``model.py`` — what a connector or importer hands to the archive: ``CapturedItem`` (identity,
  fingerprint, raw bytes as received), ``PageProfile``, ``Cursor``, ``FetchResult``,
  ``Capability``. Its docstring is the note for the archive.
* ``base.py`` — the ``Connector`` interface every platform implements, the typed errors
  (``UnsupportedAction``, ``RateLimited``, ``AuthExpired``, ``NotFound``, ``PlatformError``)
  and the registry (``@register``; ``create(platform, connection)`` constructs a registered one).
* ``factory.py`` — ``build(page, sessions, key)``: the one way the app gets a page's connector
  (its stored connection read and decrypted, then ``create``).
* ``credentials.py`` — platform tokens encrypted with the app's key, never shown back.
* ``mastodon.py`` (Mastodon.py) and ``facebook.py`` (Graph API over httpx) — the connectors.
* ``importers/`` — X archive, Facebook "Download Your Information", Instagram export,
  Mastodon archive; ``detect_and_open(path)`` picks one by content.
* ``jsonspans.py``, ``htmltext.py`` — keep each item's exact source text; plain text from
  post HTML.
"""
