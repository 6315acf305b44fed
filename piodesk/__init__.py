"""piodesk: runs a police department's official social media program by its policy (GO 409)."""

__version__ = "0.1.0"
