"""How we answer: the typed core of the LISO assistant.

A question goes in; retrieval (`assistant.retrieve`) finds the principles and working
elements of the LISO corpus that bear on it, `assistant.rerank` orders them,
`assistant.answer` writes a Dutch (or English) answer from them through a pluggable
generator, and `assistant.cite` numbers the citations so that every claim points at a
record of `corpus/principles.jsonl`. Settings live in `assistant.config`; the answer
types in `assistant.types` (the record itself in `corpus.record`); `python -m assistant` is the CLI. Importing this
package loads no model and opens no file.
"""

__version__ = "0.1.0"
