"""How people reach it: the FastAPI app (HTTP API and OpenAI-compatible endpoint), the
Gradio chat mounted in it, and the embeddable website widget in `app/static/`."""
