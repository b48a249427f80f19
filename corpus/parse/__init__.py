"""Parsers, one per source document, plus OCR repair, linking and the build step."""
