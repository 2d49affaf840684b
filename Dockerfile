# runtrace: the collector, the query API, or both in one process (the default).
#
#   docker build -t runtrace .
#   docker run -p 4318:4318 -p 4317:4317 -p 8080:8080 -v runtrace-data:/data runtrace   # all in one, embedded ClickHouse
#   docker run -e CLICKHOUSE_URL=http://user:pass@host:8123/db -p 4318:4318 -p 4317:4317 runtrace collector
#   docker run -e CLICKHOUSE_URL=http://user:pass@host:8123/db -p 8080:8080 runtrace query-api
#
# The image runs the installable `runtrace` command exactly as a user installs it: the build
# stage packs @runtrace/cli (one bundled ES module compiled from the workspaces' sources, and
# the built /runs page) and the image installs that tarball with its registry dependencies —
# no repository, no sources, no TypeScript loader. chdb, the embedded engine (~550 MB with its
# native library), is one of them, even when the image only ever talks to a ClickHouse server.

# The build: a full install (dev dependencies included: Vite, esbuild), then the /runs page
# (`npm run build`, into query-api/ui/dist, its first screen's renderer into dist-server) and
# the CLI's tarball (`npm pack`, whose prepack script bundles cli/dist/runtrace.js and copies
# both beside it).
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
RUN npm run build && test -f query-api/ui/dist/index.html \
 && test -f query-api/ui/dist-server/first-screen.js \
 && mkdir -p /pack && npm pack --workspace @runtrace/cli --pack-destination /pack \
 && mv /pack/runtrace-cli-*.tgz /pack/runtrace-cli.tgz

# The image.
FROM node:20.20.2-bookworm-slim

WORKDIR /app
ENV NODE_ENV=production

# The package and its registry dependencies, as `npm install @runtrace/cli` gives a user.
# --ignore-scripts: none is needed (chdb's install script is `node -e ""`, its native library
# comes in @chdb/lib-linux-*; swagger-ui-dist's @scarf/scarf only reports installs).
COPY --from=build /pack/runtrace-cli.tgz /tmp/runtrace-cli.tgz
RUN npm install --omit=dev --ignore-scripts --no-audit --no-fund /tmp/runtrace-cli.tgz \
 && rm /tmp/runtrace-cli.tgz && npm cache clean --force

# Embedded ClickHouse keeps its data here when CLICKHOUSE_URL is unset; mount a volume on it.
RUN mkdir -p /data && chown node:node /data
ENV RUNTRACE_DATA_DIR=/data \
    RUNTRACE_HOST=0.0.0.0
USER node

# The collector (OTLP/HTTP, OTLP/gRPC) and the query API (with the /runs page).
EXPOSE 4318 4317 8080

# The command selects what runs: start (all in one), collector, query-api, migrate.
ENTRYPOINT ["node", "/app/node_modules/@runtrace/cli/dist/runtrace.js"]
CMD ["start"]
