"""report-export: one canonical Markdown source -> PDF, DOCX, EPUB and plain text."""

__version__ = "0.1.0"
