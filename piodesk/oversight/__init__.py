"""Oversight of the moderation office: the transparency and consistency reports (reads only)."""
