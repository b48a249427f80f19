"""Generator backends: turn a question plus numbered evidence into answer text.

The core never imports a backend directly; `assistant.factory.make_generator` picks
one by name. `extractive` (default) needs no model; `openai` talks to any OpenAI-compatible
endpoint; `llamacpp` runs a local GGUF model. Whatever the backend, the caller
post-checks every `[n]` citation against the evidence it handed over.
"""
