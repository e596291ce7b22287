# syntax=docker/dockerfile:1
# One image for every process of the service: web (gunicorn), worker and beat (celery).
# See docker-compose.yml for how they are run together.

# --- Front end: GOV.UK Frontend and the service's stylesheet, built from package-lock.json.
FROM node:20-bookworm-slim AS frontend
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY scripts/ scripts/
COPY static/src/ static/src/
RUN npm run build

# --- Python dependencies, exactly as locked, in a virtualenv copied into the final image.
FROM python:3.11-slim-bookworm AS python-deps
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
RUN python -m venv /opt/venv
COPY requirements.lock /tmp/requirements.lock
RUN /opt/venv/bin/pip install -r /tmp/requirements.lock

# --- Runtime.
FROM python:3.11-slim-bookworm
# libmagic1: upload content checks (python-magic). tesseract-ocr: text from scanned evidence.
# Pango, HarfBuzz and a font: PDF letters (WeasyPrint).
RUN apt-get update \
    && apt-get install -y --no-install-recommends libmagic1 tesseract-ocr tesseract-ocr-eng \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b fonts-liberation \
    && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 10001 phso \
    && useradd --system --uid 10001 --gid phso --home-dir /app --shell /usr/sbin/nologin phso

ENV PATH="/opt/venv/bin:$PATH" \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_ENV=production \
    STATIC_ROOT=/app/staticfiles \
    MEDIA_ROOT=/app/var/media \
    WEB_CONCURRENCY=3

WORKDIR /app
COPY --from=python-deps /opt/venv /opt/venv
# Code and static files stay root-owned: the service can write only to var/ (uploads, beat state).
COPY . /app
COPY --from=frontend /build/static/build /app/static/build

# collectstatic imports the production settings, which refuse to load without a secret key,
# database and host names: give it throwaway ones that exist only for this build step.
RUN SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(64))')" \
    DATABASE_URL="sqlite:////tmp/collectstatic.sqlite3" \
    ALLOWED_HOSTS="build.invalid" \
    python manage.py collectstatic --no-input --verbosity 0 \
    && mkdir -p /app/var/media /app/var/beat \
    && chown -R phso:phso /app/var

USER phso
EXPOSE 8000

# Production allows only ALLOWED_HOSTS, so the probe sends the first of them as its Host header;
# /healthz is exempt from the HTTPS redirect, so plain HTTP inside the container is fine.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; host = os.environ.get('ALLOWED_HOSTS', 'localhost').split(',')[0].strip().lstrip('.'); urllib.request.urlopen(urllib.request.Request('http://127.0.0.1:8000/healthz', headers={'Host': host}), timeout=4)"]

# Sync workers (WEB_CONCURRENCY of them) behind a buffering TLS proxy, which absorbs slow clients.
# Slow work runs in Celery, so 60 s is ample even for an evidence upload; workers are recycled
# now and then so that a slow leak cannot grow without bound.
CMD ["gunicorn", "phso.wsgi:application", \
     "--bind", "0.0.0.0:8000", \
     "--timeout", "60", \
     "--graceful-timeout", "30", \
     "--keep-alive", "5", \
     "--max-requests", "1000", \
     "--max-requests-jitter", "100", \
     "--worker-tmp-dir", "/dev/shm", \
     "--access-logfile", "-"]
