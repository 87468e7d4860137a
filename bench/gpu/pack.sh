#!/usr/bin/env bash
# Packs what the GPU machine needs into .gpu-bundle/ (git-ignored, carried by the device call): a Node binary,
# node-llama-cpp's JS + addon sources with its runtime dependencies, the bundled llama.cpp sources (patched as
# node-llama-cpp patches them) and the bench as one ESM file. Re-run after changing bench/gpu or lib code.
set -euo pipefail
cd "$(dirname "$0")/../.."
B=.gpu-bundle
NLC=node_modules/node-llama-cpp
mkdir -p "$B"
node_modules/.bin/tsx scripts/patch-node-llama-cpp.ts # normally done by npm's postinstall

[ -s "$B/node.xz" ] || xz -9 -T2 < "$(command -v node)" > "$B/node.xz"

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
hdr=$(dirname "$(dirname "$(command -v node)")")/include/node
tar --exclude='*.map' --exclude='*.d.ts' --transform "s,^${hdr#/},node-headers," \
  -cf - $deps "$NLC/package.json" "$NLC/dist" "$NLC/llama/CMakeLists.txt" "$NLC/llama/addon" "$NLC/llama/cmake" \
  "$NLC/llama/package.json" "$NLC/llama/llama.cpp.info.json" "$NLC/llama/binariesGithubRelease.json" "$NLC/llama/grammars" \
  -C / "${hdr#/}/node_api.h" "${hdr#/}/node_api_types.h" \
  "${hdr#/}/js_native_api.h" "${hdr#/}/js_native_api_types.h" | xz -6 -T2 > "$B/node_modules.tar.xz"

node_modules/.bin/esbuild bench/gpu/bench.ts --bundle --platform=node --format=esm --target=node20 \
  --external:node-llama-cpp --outfile="$B/bench.mjs" --log-level=warning \
  --banner:js="import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);"
node_modules/.bin/esbuild bench/serving/run.ts --bundle --platform=node --format=esm --target=node20 \
  --external:node-llama-cpp --outfile="$B/serving.mjs" --log-level=warning \
  --banner:js="import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);"
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
du -ch "$B"/* | tail -1
