# Identity Mesh controller image.   docker build -t identity-mesh .
# Runs `imesh run` as a non-root user on a read-only root filesystem: config from Git (--repo) or a
# mounted directory (--config); state in PostgreSQL (--store / IMESH_STORE_URL) or .imesh/ below the
# working directory; secrets as files in IMESH_SECRETS_DIR. See deploy/kubernetes/.
# Node: the current LTS line (24 "Krypton"), pinned to a release tag; test/deploy checks the pin. The
# supported range is package.json's engines (Node 20.18 and later; CI tests Node 20, the oldest).

FROM node:24.19.0-bookworm-slim AS build
# Build tools for the one native addon, better-sqlite3 (the embedded SQLite store): its install
# script fetches a prebuilt binary for this Node and platform, and compiles it when there is none.
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3 make g++ \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json tsconfig.sdk.json ./
# Scripts stay off while installing (prepare would build before the sources are here); then only
# better-sqlite3's install script runs, to get its native binary.
RUN npm ci --ignore-scripts --no-audit --no-fund && npm rebuild better-sqlite3
# The build compiles the TypeScript and precompiles the config schemas' validators (scripts/).
COPY src ./src
COPY schemas ./schemas
COPY scripts ./scripts
# Production dependencies only, trimmed of what Node never loads (source maps, declarations, browser
# builds, better-sqlite3's sources and objects): 158 MiB → 62 MiB of node_modules, measured with
# npm ci --omit=dev on this lockfile and better-sqlite3 compiled from source.
RUN npm run build && npm prune --omit=dev --ignore-scripts --no-audit --no-fund \
    && node scripts/trim-production-modules.mjs node_modules \
    && rm -f dist/.tsbuildinfo dist/.tsbuildinfo-sdk && find dist -name '*.map' -delete

FROM node:24.19.0-bookworm-slim
# git and ssh for --repo (HTTPS and SSH transports); CA certificates for HTTPS connectors.
RUN apt-get update \
    && apt-get install -y --no-install-recommends git openssh-client ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && mkdir -p /var/lib/identity-mesh /etc/identity-mesh/secrets \
    && chown 1000:1000 /var/lib/identity-mesh
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
COPY schemas ./schemas
ENV NODE_ENV=production \
    IMESH_PORT=8080 \
    IMESH_SECRETS_DIR=/etc/identity-mesh/secrets \
    HOME=/tmp
# The working directory holds .imesh/ (Git checkouts, the embedded store): a volume in Kubernetes.
WORKDIR /var/lib/identity-mesh
# The image's `node` user, numerically, so Kubernetes can verify runAsNonRoot.
USER 1000:1000
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s \
    CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.IMESH_PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["node", "/app/bin/imesh.js"]
CMD ["run"]
