"""The public-records archive (GO 409 §.40): capture, versions, hash chain, media, search."""
