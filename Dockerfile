# syntax=docker/dockerfile:1
# Build: install everything, generate the Prisma client, compile TypeScript.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY scripts/generate.js scripts/generate.js
COPY prisma prisma
COPY prisma.config.ts ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src src
COPY scripts scripts
RUN npm run build

# Runtime: production dependencies only, compiled code, migrations; runs as a non-root user.
# Production settings unless the environment says otherwise: NODE_ENV=production refuses to start
# without OIDC_ISSUER/OIDC_AUDIENCE (before any migration), refuses asOf and plain-http webhooks.
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000 DATA_DIR=/data
WORKDIR /app
COPY package.json package-lock.json ./
# --omit=optional as well: @prisma/client declares the prisma CLI (with Studio) and typescript as
# optional peers, so --omit=dev alone still installs them (403 MB of node_modules; 153 MB without).
# Nothing at runtime imports them: the generated client is compiled into dist/ and migrations are
# applied by the service's own migrator (src/db/migrator.ts).
RUN npm ci --omit=dev --omit=optional --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist dist
COPY prisma/migrations prisma/migrations
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# Migrations are applied at start (advisory-locked, so replicas may start together).
CMD ["node", "dist/src/server.js"]
