"""What we know: the five LISO source documents and the records parsed from them.

`corpus/sources/` holds the documents exactly as delivered; `corpus/parse/` turns each
into typed `Record`s (one chunk per principle, working element, factor, tip or phase),
links the same principle across documents, and `python -m assistant corpus build`
writes them to `corpus/principles.jsonl`, the single input of the index.
"""
