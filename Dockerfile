# Ceasefire Talks Dashboard: docker build -t ceasefire . && docker run -p 8501:8501 -v ceasefire-data:/data ceasefire
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    CEASEFIRE_DATA_DIR=/data \
    CEASEFIRE_DB=/data/ceasefire.duckdb \
    FORWARDED_ALLOW_IPS=""
# FORWARDED_ALLOW_IPS: whose X-Forwarded-For names the visitor (uvicorn's setting; the login
# lockout keys on that address). Empty trusts nobody; behind a proxy, set its address(es).

RUN useradd --create-home --uid 10001 app && mkdir /data && chown app:app /data
WORKDIR /app

# The package, installed as a wheel would be (not editable): its code from src/, its built-in
# catalog, gazetteer, issues and sample data from data/. The store and the user's own actors
# (my-actors.yaml) live on the /data volume.
COPY --chown=app:app pyproject.toml README.md LICENSE ./
COPY --chown=app:app src ./src
COPY --chown=app:app data ./data
RUN pip install .

COPY --chown=app:app app.py ./
COPY --chown=app:app pages ./pages
COPY --chown=app:app static ./static
COPY --chown=app:app .streamlit/config.toml ./.streamlit/config.toml

USER app
# The DuckDB store lives on a volume; it is built from data/sample/ on first start.
VOLUME /data
EXPOSE 8501
HEALTHCHECK --interval=30s --timeout=5s --start-period=90s --retries=3 \
  CMD python -c "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4).read() != b'ok')"
CMD ["streamlit", "run", "app.py", "--server.address=0.0.0.0", "--server.port=8501", "--server.headless=true"]
