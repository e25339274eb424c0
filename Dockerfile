# syntax=docker/dockerfile:1

# One image for every role: `bifrost serve --roles=...`, `bifrost migrate up`, and the CLI.
#
#   docker build -t bifrost:dev \
#     --build-arg VERSION=$(git describe --tags --always) \
#     --build-arg COMMIT=$(git rev-parse HEAD) \
#     --build-arg BUILD_DATE=$(date -u +%Y-%m-%dT%H:%M:%SZ) .
#
# The web and Go stages run on the build machine's platform ($BUILDPLATFORM) and cross-compile, so
# a multi-arch build (--platform linux/amd64,linux/arm64) emulates nothing but the runtime stage.

ARG NODE_VERSION=20
ARG GO_VERSION=1.26
ARG PYTHON_VERSION=3.11

# ---- web: the React UI, embedded into the binary by the embedweb build tag ----
FROM --platform=$BUILDPLATFORM node:${NODE_VERSION}-bookworm-slim AS web
WORKDIR /src/web
# The lock file alone decides the dependency layer, so source edits do not reinstall node_modules.
COPY web/package.json web/package-lock.json ./
RUN --mount=type=cache,target=/root/.npm \
    npm ci --no-audit --no-fund
COPY web/ ./
RUN npm run build

# ---- build: the static Go binary ----
FROM --platform=$BUILDPLATFORM golang:${GO_VERSION}-bookworm AS build
WORKDIR /src
ENV CGO_ENABLED=0
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod \
    go mod download
COPY . .
COPY --from=web /src/web/dist ./web/dist
# Declared late so a new version or commit does not invalidate the layers above.
ARG VERSION=dev
ARG COMMIT=unknown
ARG BUILD_DATE=unknown
ARG TARGETOS
ARG TARGETARCH
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    GOOS=${TARGETOS} GOARCH=${TARGETARCH} \
    go build -tags embedweb -trimpath \
      -ldflags "-s -w -X github.com/bifrost-automation/bifrost/platform/buildinfo.Version=${VERSION} -X github.com/bifrost-automation/bifrost/platform/buildinfo.Commit=${COMMIT} -X github.com/bifrost-automation/bifrost/platform/buildinfo.Date=${BUILD_DATE}" \
      -o /out/bifrost .

# ---- runtime: Python for user workflows, git for workspace sync ----
FROM python:${PYTHON_VERSION}-slim-bookworm AS runtime

ARG VERSION=dev
ARG COMMIT=unknown
ARG BUILD_DATE=unknown
LABEL org.opencontainers.image.title="Bifrost" \
      org.opencontainers.image.description="Self-hosted, code-first automation platform for MSPs: Python workflows, forms, executions" \
      org.opencontainers.image.source="https://github.com/bifrost-automation/bifrost" \
      org.opencontainers.image.url="https://github.com/bifrost-automation/bifrost" \
      org.opencontainers.image.vendor="Bifrost" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${COMMIT}" \
      org.opencontainers.image.created="${BUILD_DATE}"

# git: workspace git sync. ca-certificates: HTTPS from workflows, git and OAuth providers.
# tzdata: schedules and workflows that name time zones.
RUN apt-get update \
    && apt-get install -y --no-install-recommends git ca-certificates tzdata \
    && rm -rf /var/lib/apt/lists/*

# A fixed, non-root uid so volumes and bind mounts can be prepared on the host (chown 10001).
RUN groupadd --system --gid 10001 bifrost \
    && useradd --system --uid 10001 --gid bifrost --home-dir /var/lib/bifrost \
       --no-create-home --shell /usr/sbin/nologin bifrost \
    && install -d -o bifrost -g bifrost -m 0750 /workspace /var/lib/bifrost

COPY --from=build /out/bifrost /usr/local/bin/bifrost
# The example workspace. An empty named volume mounted on /workspace starts as a copy of it,
# owned by bifrost; a bind mount hides it.
COPY --chown=bifrost:bifrost workspace/ /workspace/

# No VOLUME instruction: it would leave an anonymous volume behind for every `docker run` of a
# CLI command. compose.yaml mounts named volumes on both paths.
ENV BIFROST_WORKSPACE_PATH=/workspace \
    BIFROST_DATA_DIR=/var/lib/bifrost \
    BIFROST_HTTP_ADDR=:8000 \
    BIFROST_LOG_FORMAT=json \
    HOME=/var/lib/bifrost \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# Numeric, so Kubernetes' runAsNonRoot can verify it without reading /etc/passwd.
USER 10001:10001
WORKDIR /var/lib/bifrost
EXPOSE 8000

# Liveness only (/health): /ready also checks PostgreSQL, RabbitMQ and Redis, and an outage there
# should not mark every container unhealthy. compose.yaml probes /ready instead. Follows
# BIFROST_HTTP_ADDR so a changed port does not fail the probe; ignores HTTP_PROXY for loopback.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python3", "-c", "import os, urllib.request as u; port = os.environ.get('BIFROST_HTTP_ADDR', ':8000').rpartition(':')[2] or '8000'; u.build_opener(u.ProxyHandler({})).open('http://127.0.0.1:' + port + '/health', timeout=3)"]

ENTRYPOINT ["bifrost"]
CMD ["serve"]
