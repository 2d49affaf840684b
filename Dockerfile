# runtrace: the collector, the query API, or both in one process (the default).
#
#   docker build -t runtrace .
#   docker run -p 4318:4318 -p 8080:8080 -v runtrace-data:/data runtrace            # all in one, embedded ClickHouse
#   docker run -e CLICKHOUSE_URL=http://user:pass@host:8123/db -p 4318:4318 runtrace collector
#   docker run -e CLICKHOUSE_URL=http://user:pass@host:8123/db -p 8080:8080 runtrace query-api
#
# runtrace runs from its TypeScript sources (tsx compiles them on load): the image is the
# installed workspaces plus their sources, and the /runs page, which the build stage compiles
# with Vite (a dev dependency the image does not carry). chdb, the embedded engine (~550 MB
# with its native library), is a regular dependency of packages/clickhouse and is installed
# even when the image only ever talks to a ClickHouse server.

# The /runs page: a full install (dev dependencies included), then `npm run build`, which
# writes query-api/ui/dist.
FROM node:20.20.2-bookworm-slim AS build

WORKDIR /app

# Every workspace named in package.json must be here: npm ci refuses a lock file whose
# workspaces are missing. --ignore-scripts: the root `prepare` script (the UI build) needs the
# sources, copied below; the build runs explicitly after them.
COPY package.json package-lock.json ./
COPY packages/semconv/package.json packages/semconv/
COPY packages/model/package.json packages/model/
COPY packages/config/package.json packages/config/
COPY packages/sdk/package.json packages/sdk/
COPY packages/sdk-node/package.json packages/sdk-node/
COPY packages/clickhouse/package.json packages/clickhouse/
COPY packages/otlp/package.json packages/otlp/
COPY cli/package.json cli/
COPY collector/package.json collector/
COPY query-api/package.json query-api/
COPY query-api/ui/package.json query-api/ui/
COPY examples/package.json examples/
COPY bench/package.json bench/
COPY testkit/package.json testkit/
COPY testkit/harness/package.json testkit/harness/
RUN npm ci --no-audit --no-fund --ignore-scripts

COPY . .
RUN npm run build && test -f query-api/ui/dist/index.html

# The image.
FROM node:20.20.2-bookworm-slim

WORKDIR /app
ENV NODE_ENV=production

# The manifests first, so the dependency layer is rebuilt only when they change. Every
# workspace named in package.json must be here: npm ci refuses a lock file whose workspaces
# are missing.
COPY package.json package-lock.json ./
COPY packages/semconv/package.json packages/semconv/
COPY packages/model/package.json packages/model/
COPY packages/config/package.json packages/config/
COPY packages/sdk/package.json packages/sdk/
COPY packages/sdk-node/package.json packages/sdk-node/
COPY packages/clickhouse/package.json packages/clickhouse/
COPY packages/otlp/package.json packages/otlp/
COPY cli/package.json cli/
COPY collector/package.json collector/
COPY query-api/package.json query-api/
COPY query-api/ui/package.json query-api/ui/
COPY examples/package.json examples/
COPY bench/package.json bench/
COPY testkit/package.json testkit/
COPY testkit/harness/package.json testkit/harness/
# --ignore-scripts skips the root `prepare` (the UI build: no Vite here, and the page comes
# from the build stage) and the dependencies' install scripts, which this image does not
# need: chdb's is a no-op (`node -e ""`; its native library comes in @chdb/lib-linux-*),
# esbuild's only checks and relinks the binary its @esbuild/linux-* package already
# provides, and protobufjs's only warns about version ranges.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

COPY . .
COPY --from=build /app/query-api/ui/dist query-api/ui/dist

# Embedded ClickHouse keeps its data here when CLICKHOUSE_URL is unset; mount a volume on it.
RUN mkdir -p /data && chown node:node /data
ENV RUNTRACE_DATA_DIR=/data \
    RUNTRACE_HOST=0.0.0.0
USER node

# The collector (OTLP/HTTP) and the query API (with the /runs page).
EXPOSE 4318 8080

# The command selects what runs: start (all in one), collector, query-api, migrate.
ENTRYPOINT ["node", "cli/bin/runtrace.js"]
CMD ["start"]
