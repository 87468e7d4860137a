# llama-depot image: web and worker share it (compose picks the command). CPU build of node-llama-cpp.
# For NVIDIA GPUs build with --build-arg BASE=nvidia/cuda:12.8.1-devel-ubuntu24.04 (see README "GPU").
ARG BASE=node:20-bookworm
FROM ${BASE}
RUN if ! command -v node >/dev/null; then \
      apt-get update && apt-get install -y --no-install-recommends curl ca-certificates gnupg && \
      curl -fsSL https://deb.nodesource.com/setup_20.x | bash - && apt-get install -y nodejs; \
    fi && apt-get update && apt-get install -y --no-install-recommends python3 make g++ cmake && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
# What `npm ci`'s postinstall (Prisma client generation, node-llama-cpp's addon patch) reads; the rest comes after,
# so code edits keep this layer.
COPY scripts ./scripts
COPY native ./native
COPY prisma ./prisma
COPY lib/db/pg-workarounds.ts ./lib/db/pg-workarounds.ts
RUN npm ci --no-audit --no-fund
COPY . .
ENV NEXT_TELEMETRY_DISABLED=1 NODE_ENV=production DATA_DIR=/data HOST=0.0.0.0
RUN node_modules/.bin/tsx -e "import('./scripts/build.ts').then((m) => m.buildIfNeeded())"
VOLUME /data
EXPOSE 3000
CMD ["npm", "run", "web"]
