# Ratchet in a container: the supervisor runs the worker and the web console; Temporal runs in its
# own container (docker-compose.yml), so TEMPORAL_ADDRESS is set and no local dev server starts.

# --- build: native modules (better-sqlite3) need python3, make and a C++ compiler -------------
FROM node:20-bookworm-slim AS build
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ git ca-certificates \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NEXT_TELEMETRY_DISABLED=1
COPY package.json package-lock.json ./
# Exactly the lockfile's versions; fails if package-lock.json is out of sync with package.json.
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run web:build

# --- runtime: git (worktrees, commits, pushes) and ssh for git@ remotes; no compilers ---------
FROM node:20-bookworm-slim
RUN apt-get update \
  && apt-get install -y --no-install-recommends git openssh-client ca-certificates tini \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app /app
ENV NODE_ENV=production \
    NEXT_TELEMETRY_DISABLED=1 \
    RATCHET_HOME=/root/.ratchet \
    RATCHET_HOST=0.0.0.0 \
    RATCHET_PORT=3000 \
    TEMPORAL_ADDRESS=temporal:7233
# Worktrees, the SQLite read model and logs live here; mount a volume on it.
VOLUME ["/root/.ratchet"]
EXPOSE 3000
# tini forwards SIGTERM to the supervisor, which stops the worker and the console cleanly.
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node_modules/.bin/tsx", "scripts/supervisor.ts"]
