# syntax=docker/dockerfile:1
#
# Federation Hub image, for use with DATABASE_URL (an external PostgreSQL 15 to 18; see
# docker-compose.yml). The embedded PostgreSQL (DATA_DIR) is for development: do not rely on it
# in a container, where its data would live in the container's writable layer.
#
#   docker build -t federation-hub .
#   docker run -p 4000:4000 -e DATABASE_URL=postgres://user:password@host:5432/hub federation-hub

# ---- build: install everything, compile (src/ and migrations/ into dist/), drop dev dependencies
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY migrations ./migrations
COPY scripts ./scripts
RUN npm run build && npm prune --omit=dev

# ---- run: package.json, production node_modules and dist/ (the migrations are compiled into
# dist/migrations and listed in code), and the files the browser pages serve: the vendored
# explorer, the pages' scripts and styles, the example operations (src/web/pages.ts reads them
# from the project folder)
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=4000
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY vendor ./vendor
COPY src/web/assets ./src/web/assets
COPY schema/operations ./schema/operations
# Files stay owned by root (read-only for the app); the hub runs as the image's unprivileged user.
USER node
EXPOSE 4000
# /readyz answers 200 once migrations are applied and the database answers; allow time for a
# first start that migrates.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 4000) + '/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# The hub handles SIGTERM itself (stops accepting, finishes in-flight requests, closes the pool).
CMD ["node", "dist/src/main.js"]
