# One image for every app node; the SFU runs inside the node that owns a live session.
FROM python:3.11-slim-bookworm
RUN apt-get update && apt-get install -y --no-install-recommends fonts-noto-cjk \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md ./
COPY server server
COPY lms lms
COPY media media
COPY loadtest loadtest
COPY client-web client-web
RUN pip install --no-cache-dir .
ENV NEWSSEM_HOST=0.0.0.0 NEWSSEM_PORT=8080 NEWSSEM_DATA_DIR=/data
EXPOSE 8080
CMD ["newssem", "serve", "--no-seed"]
