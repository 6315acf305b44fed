"""The built-in sandbox platform: pages stored in piodesk's own database, for the demo and tests.

``tables.py`` is the platform's storage, ``platform.py`` what the platform does (a visitor
comments, the page posts, hides, blocks…), ``connector.py`` the connector piodesk uses like any
other platform's, and ``routes.py`` the public page visitors read and comment on.
"""
