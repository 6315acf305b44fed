"""Screening: from text to findings under GO 409 §.12 (staff drafts) and §.20 (public comments).

Pure: imports nothing from web or storage.
"""
