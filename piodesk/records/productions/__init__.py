"""Productions: one ZIP per production that anyone can verify offline with the agency's key.

``formats`` writes the load files and logs (pure), ``render`` the HTML and PDF renderings,
``build`` gathers the records and writes the ZIP with its signed manifest, ``verify`` checks a
ZIP with nothing but the file and the public key.
"""
