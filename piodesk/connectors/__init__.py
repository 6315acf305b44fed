"""One adapter per social platform and one importer per platform data-export format."""
