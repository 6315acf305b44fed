"""Detectors: one small class per kind of content (GO 409 §.20), registered from rules."""
