"""How we find it: principles → embeddings + BM25 → Chroma."""
