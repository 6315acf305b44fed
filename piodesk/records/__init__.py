"""Records (GO 409 §.40): open-records requests, legal holds, retention and disposition,
redaction, and productions anyone can verify offline."""
