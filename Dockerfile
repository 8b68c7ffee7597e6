# syntax=docker/dockerfile:1
#
# Storekeep image: one image for both processes.
#   API    (default):  node dist/src/main.js    (listens on $PORT, 3000)
#   worker:            node dist/src/worker.js  (no HTTP port; override the HEALTHCHECK, see docker-compose.yml)
#   migrations:        node dist/src/cli/migrate.js  (one-off: applies pending migrations and exits; the
#                      Kubernetes migrations Job, deploy/kubernetes, docs/operations.md)
#   first admin:       node dist/src/cli/admin-create.js --email ops@example.com [--role staff] [--name "..."]
#                      (one-off, same environment as the API; creates or promotes a staff/admin account,
#                      audited. Password from ADMIN_PASSWORD, else stdin, else generated and printed once.
#                      With compose: see docker-compose.yml)
#
# Configuration comes only from environment variables (see libs/config/src/environment.ts).
# With NODE_ENV=production (the default here) DB_HOST, DB_NAME, REDIS_HOST and SMTP_HOST must be set.

ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS base
WORKDIR /app
ENV NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_AUDIT=false

# ---- build: all dependencies (dev included), compile TypeScript to dist/ ----------------------
FROM base AS build
COPY package.json package-lock.json ./
# Exactly the lockfile (it lists every platform's optional native packages). --ignore-scripts: the
# native packages (@swc, argon2, msgpackr-extract) ship prebuilt binaries, and the `node` dev
# dependency (Node 24 for machines whose system Node is older) is not needed: the image is Node 24.
RUN --mount=type=cache,target=/root/.npm \
    npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY libs ./libs
COPY src ./src
# The staff dashboard's bundler (esbuild, run by `npm run build` after nest build): dist/dashboard.
COPY scripts/dashboard ./scripts/dashboard
RUN npm run build && test -f dist/dashboard/index.html

# ---- prod-deps: production dependencies only ---------------------------------------------------
FROM base AS prod-deps
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm \
    npm ci --omit=dev --no-audit --no-fund --ignore-scripts

# ---- runtime: production node_modules + dist, non-root ----------------------------------------
FROM base AS runtime
# V8's old space is capped: left to itself it grew to ~350 MB of garbage under load before a major
# collection (measured: /v1/me at 10 connections), over the 250 MB budget; capped, 200 MB and no slower.
# Node 24's V8 sizes the young generation far larger than Node 20's did: with the old-space cap alone
# the heap sat at the cap and collected without end (the catalog list fell from ~12,000 to ~440 req/s);
# semi-spaces of 16 MB keep it at ~210 MB RSS and full speed.
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    NODE_OPTIONS="--max-old-space-size=192 --max-semi-space-size=16"
# Files stay owned by root and read-only for the `node` user: the app never writes to its own tree.
COPY package.json ./
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
USER node
EXPOSE 3000
# Liveness of the API process (no curl/wget in the slim image: node's fetch). start-period covers
# a first start that waits up to 120 s for the migration lock held by another replica.
HEALTHCHECK --interval=10s --timeout=5s --start-period=120s --retries=3 \
    CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health/live', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Exec form: node is PID 1 and receives SIGTERM itself (graceful shutdown; no npm/sh wrapper).
CMD ["node", "dist/src/main.js"]
