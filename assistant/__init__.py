"""How we answer: the steps of an answer and the assistant that runs them.

A question is cleaned (`query`), stripped of instructions and judged in scope
(`scope`), rewritten when it follows up (`language`), answered from the records that
retrieval finds (`retrieve`, `principles`, `rerank`, `evidence`) by the extractive
answer (`answer`: select, then render) or a generator backend (`generation`,
`generators/`), and cited (`cite`). `service.Assistant` runs the steps;
`factory.py` reads the settings (`config`) and builds it from its parts. The answer
types are in `types`; the record itself in `corpus.record`; `python -m assistant` is
the CLI. Importing this package loads no model and opens no file.
"""

__version__ = "0.1.0"
