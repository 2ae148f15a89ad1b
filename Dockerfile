# Ratchet in a container: the supervisor runs the worker and the web console; Temporal runs in its
# own container (docker-compose.yml), so TEMPORAL_ADDRESS is set and no local dev server starts.

# --- build: native modules (better-sqlite3, node-pty) need python3, make and a C++ compiler ----
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
# Build the console, then drop what only building needs: dev dependencies (TypeScript, ESLint,
# vitest, drizzle-kit …), Next's build cache, better-sqlite3's C sources and object files (the
# compiled addon stays), and the Temporal core bridge's libraries for the four other platforms it
# ships. The worker and console run from TypeScript sources through tsx, a runtime dependency.
RUN npm run web:build \
  && npm prune --omit=dev --no-audit --no-fund \
  && rm -rf web/.next/cache \
  && cd node_modules/better-sqlite3 \
  && rm -rf deps src build/deps build/Release/obj build/Release/obj.target build/Release/.deps \
  && cd ../@temporalio/core-bridge/releases \
  && case "$(uname -m)" in x86_64) keep=x86_64-unknown-linux-gnu ;; aarch64) keep=aarch64-unknown-linux-gnu ;; esac \
  && if [ -n "${keep:-}" ] && [ -d "$keep" ]; then find . -mindepth 1 -maxdepth 1 ! -name "$keep" -exec rm -rf {} +; fi \
  && npm cache clean --force

# --- runtime: git (worktrees, commits, pushes) and ssh for git@ remotes; no compilers ---------
# The settings come before the application copy so that the big layer is the last one: on storage
# drivers that copy every layer (vfs), each instruction after it would copy the whole tree again.
FROM node:20-bookworm-slim
RUN apt-get update \
  && apt-get install -y --no-install-recommends git openssh-client ca-certificates tini \
  && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    NEXT_TELEMETRY_DISABLED=1 \
    RATCHET_HOME=/root/.ratchet \
    RATCHET_HOST=0.0.0.0 \
    RATCHET_PORT=3000 \
    TEMPORAL_ADDRESS=temporal:7233
# Worktrees, the SQLite read model and logs live here; mount a volume on it.
VOLUME ["/root/.ratchet"]
EXPOSE 3000
WORKDIR /app
# tini forwards SIGTERM to the supervisor, which stops the worker and the console cleanly.
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node_modules/.bin/tsx", "scripts/supervisor.ts"]
COPY --from=build /app /app
