"""Configuration, database, audit chain, permissions, job runner and clock."""
