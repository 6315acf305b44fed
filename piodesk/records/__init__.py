"""Open-records work (GO 409 §.40): requests and their clock, legal holds, retention and
disposition, redaction, and productions anyone can verify offline."""
