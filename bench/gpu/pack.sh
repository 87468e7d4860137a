#!/usr/bin/env bash
# Packs what the GPU machine needs into .gpu-bundle/ (git-ignored, carried by the device call): a Node binary,
# node-llama-cpp's JS + addon sources with its runtime dependencies (and better-sqlite3 for bench/serving's (a)),
# the bundled llama.cpp sources (patched as node-llama-cpp patches them), the benches as ESM files, and for
# bench/serving's (a) a redis-server with its shared libraries and a migrated SQLite database. Re-run after changing
# bench/ or lib code. The tree that travels is ~45 MB of the 64 MiB a call may carry, so the serving bench's pieces are
# also laid out as two parts, .gpu-bundle/p1 (the build's: sources, node_modules, the first part of Node) and
# .gpu-bundle/p2 (the rest of Node, the benches, Redis, the database), one carried per call (bench/serving/device-run.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
B=.gpu-bundle
NLC=node_modules/node-llama-cpp
mkdir -p "$B"
node_modules/.bin/tsx scripts/patch-node-llama-cpp.ts # normally done by npm's postinstall

if [ ! -s "$B/node.xz" ]; then
  # Stripped and -9e: 21.9 MB instead of 23.9 (Node 20.20).
  cp "$(readlink -f "$(command -v node)")" "$B/node" && strip "$B/node" && xz -9e -T2 < "$B/node" > "$B/node.xz" && rm "$B/node"
fi

if [ ! -s "$B/llama.cpp.tar.xz" ]; then
  src=$(mktemp -d)
  git clone -q "$NLC/llama/gitRelease.bundle" "$src"
  git -C "$src" apply "$PWD/$NLC/llama/patches/"*.diff
  # Only what the addon, llama-batched-bench and llama-server (bench/serving) compile from: no docs, vocab models,
  # web UI (tools/ui's CMake file and embedder only: the server is built without the UI) or other backends.
  mkdir -p "$src/.keep-ui" && cp "$src/tools/ui/CMakeLists.txt" "$src/tools/ui/embed.cpp" "$src/.keep-ui/"
  tar -C "$src" --exclude=.git --exclude=./docs --exclude=./models --exclude=./media --exclude=./benches \
    --exclude='./tools/ui/*' --exclude=./tools/server/tests --exclude=./tools/server/bench --exclude=./gguf-py --exclude=./conversion --exclude=./examples \
    --exclude=./tests --exclude=./pocs --exclude=./app --exclude=./ci \
    --exclude='./ggml/src/ggml-'{cann,et,hexagon,hip,metal,musa,opencl,openvino,sycl,vulkan,webgpu,zdnn,zendnn,virtgpu,blas,rpc} \
    --transform 's,^\./\.keep-ui,./tools/ui,' -cf - . | xz -6 -T2 > "$B/llama.cpp.tar.xz"
  rm -rf "$src"
fi

# node-llama-cpp without its prebuilt binaries and source bundle, plus every package its dist imports at run time.
deps=$(node -e '
  const fs = require("fs"), seen = new Set(), q = ["node-llama-cpp"];
  while (q.length) { const n = q.pop(); if (seen.has(n)) continue; seen.add(n);
    const pj = JSON.parse(fs.readFileSync(`node_modules/${n}/package.json`, "utf8"));
    for (const d of Object.keys(pj.dependencies ?? {})) if (fs.existsSync(`node_modules/${d}`)) q.push(d); }
  seen.delete("node-llama-cpp"); console.log([...seen].map((n) => `node_modules/${n}`).join(" "));')
# The native packages bench/serving's (a) loads, which esbuild cannot bundle: better-sqlite3's addon and the loader it
# finds it with (Prisma's SQLite adapter), argon2 (the seeded user's password).
native="node_modules/better-sqlite3/package.json node_modules/better-sqlite3/lib node_modules/better-sqlite3/build/Release/better_sqlite3.node
  node_modules/bindings node_modules/file-uri-to-path node_modules/@node-rs/argon2 node_modules/@node-rs/argon2-linux-x64-gnu"
hdr=$(dirname "$(dirname "$(command -v node)")")/include/node
tar --exclude='*.map' --exclude='*.d.ts' --transform "s,^${hdr#/},node-headers," \
  -cf - $deps $native "$NLC/package.json" "$NLC/dist" "$NLC/llama/CMakeLists.txt" "$NLC/llama/addon" "$NLC/llama/cmake" \
  "$NLC/llama/package.json" "$NLC/llama/llama.cpp.info.json" "$NLC/llama/binariesGithubRelease.json" "$NLC/llama/grammars" \
  -C / "${hdr#/}/node_api.h" "${hdr#/}/node_api_types.h" \
  "${hdr#/}/js_native_api.h" "${hdr#/}/js_native_api_types.h" | xz -6 -T2 > "$B/node_modules.tar.xz"

node_modules/.bin/esbuild bench/gpu/bench.ts --bundle --platform=node --format=esm --target=node20 \
  --external:node-llama-cpp --outfile="$B/bench.mjs" --log-level=warning \
  --banner:js="import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);"
# The serving bench holds the web side and the worker of (a) too (the /v1 route, Prisma's client, BullMQ): ~9 MB.
node_modules/.bin/esbuild bench/serving/run.ts --bundle --platform=node --format=esm --target=node20 \
  --external:node-llama-cpp --external:better-sqlite3 --external:@node-rs/argon2 --external:pg-native --outfile="$B/serving.mjs" --log-level=warning \
  --banner:js="import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);"
xz -6 -T2 -f "$B/serving.mjs"

# (a)'s Redis: the redis-server binary (Debian installs it as a link to redis-check-rdb; it acts by the name it is run
# as) and every shared library it loads but glibc's, which the device has (bench/serving/device-run.sh points
# LD_LIBRARY_PATH at them for Redis alone).
if [ ! -s "$B/redis.tar.xz" ]; then
  r=$(mktemp -d)
  mkdir -p "$r/lib" && cp -L "$(command -v redis-server)" "$r/redis-server"
  ldd "$r/redis-server" | awk '$3 ~ /^\// {print $3}' | grep -Ev '/(libc|libm|libdl|libpthread|librt|ld-linux[^/]*)\.so' | xargs -I{} cp -L {} "$r/lib/"
  tar -C "$r" -cf - . | xz -6 -T2 > "$B/redis.tar.xz"
  rm -rf "$r"
fi
# (a)'s database: a fresh install's SQLite file, migrated here (the device has no Prisma CLI).
rm -f "$B/depot.db" "$B/depot.db.xz"
DATABASE_URL="file:$PWD/$B/depot.db" node_modules/.bin/tsx scripts/db.ts deploy > /dev/null
xz -9 "$B/depot.db"
# BASE_REV=<rev>: that revision's bench and lib/ (engine variant "committed" in device-run.sh), for an A/B of the
# engine on one machine in one run.
rm -f "$B/bench-committed.mjs"
if [ -n "${BASE_REV:-}" ]; then
  base=$(mktemp -d)
  git archive "$BASE_REV" lib bench/gpu | tar -x -C "$base"
  cp -r test "$base/test"
  NODE_PATH=$PWD/node_modules node_modules/.bin/esbuild "$base/bench/gpu/bench.ts" --bundle --platform=node --format=esm \
    --target=node20 --external:node-llama-cpp --outfile="$B/bench-committed.mjs" --log-level=warning \
    --banner:js="import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);"
  rm -rf "$base"
fi
# Issue 20's one-GPU check (scripts/gpu-check.ts), run by bench/serving/device-run.sh after the serving targets.
node_modules/.bin/esbuild scripts/gpu-check.ts --bundle --platform=node --format=esm --target=node20 \
  --external:node-llama-cpp --outfile="$B/gpu-check.mjs" --log-level=warning \
  --banner:js="import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);"
# The two parts of the serving bench (hard links, no copies): Node split where each part stays well under what a call
# may carry beside the tree.
rm -rf "$B/p1" "$B/p2" && mkdir -p "$B/p1" "$B/p2"
split -b 11M "$B/node.xz" "$B/p1/node.xz."
mv "$B/p1/node.xz.ab" "$B/p2/"
[ ! -e "$B/p1/node.xz.ac" ] || { echo "node.xz needs more than two parts" >&2; exit 1; }
ln -f "$B/llama.cpp.tar.xz" "$B/node_modules.tar.xz" "$B/p1/"
ln -f "$B/bench.mjs" "$B/serving.mjs.xz" "$B/redis.tar.xz" "$B/depot.db.xz" "$B/gpu-check.mjs" "$B/p2/"
tree=$(git ls-files -z | xargs -0 du -cb 2>/dev/null | tail -1 | cut -f1)
for p in p1 p2; do
  n=$(du -cb "$B/$p"/* | tail -1 | cut -f1)
  echo "$B/$p: $n bytes; with the tracked tree ($tree) $((tree + n)) of 67108864"
done
du -ch "$B"/* | tail -1
