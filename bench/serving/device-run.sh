#!/usr/bin/env bash
# The serving benchmark on the GPU machine (README: Serving under load). After bench/gpu/pack.sh, from a folder holding
# .gpu-bundle/ (this script is copied into it as serving-run.sh):
#   unpacks Node, node-llama-cpp and the bundled llama.cpp sources; builds node-llama-cpp's addon and llama-server in
#   ONE CMake tree of the same sources (CUDA); writes a random-weight Llama-2-7B-shaped Q4_0 GGUF meanwhile; runs
#   (b) the engine in-process (chunked prefill, prefix cache on; then whole-prompt steps for the chunk's effect) and
#   (c) llama-server through its OpenAI endpoint, with the same load generator; writes $OUT/serving.md.
# Steps done on this machine are skipped, so a call cut off by the 10-minute limit resumes on the warm machine.
# The tree that travels is ~45 MB, so the bundle goes in two parts (the 2026-12-03 run): here, after pack.sh,
#   strip a copy of node, xz -9e it, split -b 15M into p1/node.xz.aa + p2/node.xz.ab; p1 also holds llama.cpp.tar.xz and
#   node_modules.tar.xz, p2 bench.mjs and serving.mjs, both this script; then call 1 (carry .gpu-bundle/p1):
#   BUNDLE=$PWD/.gpu-bundle/p1 bash .gpu-bundle/p1/serving-run.sh (builds, ~4.5 min), and at once call 2 on the warm
#   machine (carry .gpu-bundle/p2): BUNDLE=$PWD/.gpu-bundle/p2 MORE_SEQ=64 bash .gpu-bundle/p2/serving-run.sh (~8 min).
set -uo pipefail
ROOT=$PWD
B=${BUNDLE:-$PWD/.gpu-bundle}
OUT=${OUT:-$PWD/.gpu-out}
W=${WORK:-/tmp/depot-gpu}
JOBS=${JOBS:-$(nproc)}
SEQ=${SEQ:-32}
CTX=${CTX:-2048}
export RATES=${RATES:-"4 8 16 inf"} N=${N:-128}
RES=$W/serving
mkdir -p "$OUT" "$W/bin" "$W/models" "$RES"
START=$(date +%s)
DEADLINE=${DEADLINE:-540}
log() { echo "[$(date -u +%T)] $*" | tee -a "$RES/run.log"; }
finish() { cp "$RES"/serving.md "$RES"/run.log "$OUT/" 2>/dev/null; tar -czf "$OUT/serving.tgz" -C "$RES" . 2>/dev/null; exit "${1:-0}"; }
trap 'finish 1' INT TERM
die() { log "FAILED: $*"; finish 1; }
left() { [ $(($(date +%s) - START)) -lt "$DEADLINE" ] || { log "out of time before $1: call again on the warm machine"; finish 0; }; }

log "unpack"
# The working tree plus what is carried must stay under 64 MiB, so the pieces come over two calls on the same warm
# machine (pack-serving.sh): the sources and the build first, Node (split in two) and the bench with the second.
mkdir -p "$W/parts"
cp "$B"/node.xz.* "$W/parts/" 2>/dev/null
if [ ! -x "$W/bin/node" ] && [ -s "$W/parts/node.xz.aa" ] && [ -s "$W/parts/node.xz.ab" ]; then
  cat "$W/parts"/node.xz.* | xz -dc > "$W/bin/node" && chmod +x "$W/bin/node" || die "node"
fi
export PATH="$W/bin:/usr/local/cuda/bin:$PATH"
NLC=$W/node_modules/node-llama-cpp
if [ ! -d "$NLC/dist" ] && [ -s "$B/node_modules.tar.xz" ]; then tar -xJf "$B/node_modules.tar.xz" -C "$W" || die "node_modules"; fi
if [ ! -f "$NLC/llama/llama.cpp/tools/server/CMakeLists.txt" ] && [ -s "$B/llama.cpp.tar.xz" ]; then
  mkdir -p "$NLC/llama/llama.cpp" && tar -xJf "$B/llama.cpp.tar.xz" -C "$NLC/llama/llama.cpp" || die "llama.cpp sources"
fi
for f in bench.mjs serving.mjs; do [ -s "$B/$f" ] && cp "$B/$f" "$W/"; done
# node-llama-cpp's CMake file asks node for node-addon-api's folder; the build may run before Node is here.
cp "$W/node_modules/node-addon-api/"*.h "$W/node-headers/" 2>/dev/null
M=$W/models/llama2-7b-shape-q4_0.gguf
HAVE_NODE=$([ -x "$W/bin/node" ] && [ -s "$W/serving.mjs" ] && echo 1 || echo 0)
if [ "$HAVE_NODE" = 1 ]; then
  ( [ -s "$M" ] || node "$W/bench.mjs" make-gguf q4_0 "$M" "$ROOT/test/fixtures/tiny-llama/hf" ) > "$RES/gguf.log" 2>&1 &
  GGUF_PID=$!
fi

REL=$(python3 -c "import json; print(json.load(open('$NLC/llama/llama.cpp.info.json'))['tag'])")
BUILD=$W/build-serving
DEST=$NLC/llama/localBuilds/linux-x64-cuda
if [ ! -f "$BUILD/done" ]; then
  log "configure (cuda, llama.cpp $REL)"
  cmake -S "$NLC/llama" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_JS_INC="$W/node-headers" -DNLC_CURRENT_PLATFORM=linux-x64 -DNLC_TARGET_PLATFORM=linux-x64 \
    -DNLC_VARIANT="cuda.$REL" -DGGML_BUILD_NUMBER=1 -DGGML_METAL=OFF -DGGML_CCACHE=OFF -DGGML_NATIVE=ON \
    -DLLAMA_CURL=OFF -DLLAMA_BUILD_BORINGSSL=OFF -DLLAMA_OPENSSL=OFF -DLLAMA_BUILD_TOOLS=ON \
    -DLLAMA_BUILD_SERVER=ON -DLLAMA_HTTPLIB=ON -DLLAMA_BUILD_UI=OFF -DLLAMA_USE_PREBUILT_UI=OFF \
    -DGGML_CUDA=ON -DCMAKE_CUDA_ARCHITECTURES=${CUDA_ARCH:-90} > "$RES/build.log" 2>&1 || die "configure (see build.log)"
  log "build -j$JOBS"
  timeout $((DEADLINE + 30 - $(date +%s) + START)) cmake --build "$BUILD" --target llama-addon llama-server -j "$JOBS" >> "$RES/build.log" 2>&1 || die "build (see build.log)"
  log "build took $(($(date +%s) - START)) s"
  rm -rf "$DEST" && mkdir -p "$DEST/Release"
  find "$BUILD" \( -name 'llama-addon.node' -o -name '*.so' -o -name llama-server \) -type f -exec cp {} "$DEST/Release/" \;
  echo "{\"buildOptions\":{\"customCmakeOptions\":{},\"progressLogs\":true,\"platform\":\"linux\",\"platformInfo\":{\"name\":\"\",\"version\":\"\"},\"arch\":\"x64\",\"gpu\":\"cuda\",\"llamaCpp\":{\"repo\":\"ggml-org/llama.cpp\",\"release\":\"$REL\"}}}" > "$DEST/Release/_nlcBuildMetadata.json"
  touch "$DEST/buildDone.status" "$BUILD/done"
fi
SERVER=$DEST/Release/llama-server
[ -x "$SERVER" ] || die "no llama-server"
[ "$HAVE_NODE" = 1 ] || { log "built; Node and the bench come with the next call"; finish 0; }
export LD_LIBRARY_PATH="$DEST/Release:${LD_LIBRARY_PATH:-}"
wait $GGUF_PID || die "gguf (see gguf.log)"
cat "$RES/gguf.log" >> "$RES/run.log"
nvidia-smi > "$RES/nvidia-smi.txt" 2>&1
CARD=$(nvidia-smi --query-gpu=name --format=csv,noheader | head -1)

# (c) first: the reference.
if [ ! -s "$RES/server.json" ]; then
  left llama-server
  log "llama-server --parallel $SEQ"
  # Same per-sequence context (-c is the total), continuous batching (on by default), all layers on the GPU, its
  # default batch 2048 / ubatch 512 and flash attention auto (as our context), its slot prompt cache on.
  "$SERVER" -m "$M" -c $((CTX * SEQ)) -np "$SEQ" -ngl 99 --host 127.0.0.1 --port 8090 --cont-batching \
    > "$RES/server.log" 2>&1 &
  SPID=$!
  for _ in $(seq 120); do
    node -e 'fetch("http://127.0.0.1:8090/health").then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' && break
    sleep 1
  done
  NAME=llama-server PREFIX=1 CONDITIONS="{\"parallel\":$SEQ,\"contextPerSlot\":$CTX}" node "$W/serving.mjs" openai http://127.0.0.1:8090 "$RES/server.json" 2>&1 | tee -a "$RES/run.log"
  kill $SPID; wait $SPID 2>/dev/null
  [ -s "$RES/server.json" ] || die "llama-server bench (see server.log)"
fi
# (b) the engine: chunked prefill (default chunk) with the prefix cache, then whole-prompt steps.
if [ ! -s "$RES/engine.json" ]; then
  left engine
  log "engine, $SEQ sequences"
  NAME=engine SEQUENCES=$SEQ CONTEXT=$CTX PREFIX=1 node "$W/serving.mjs" engine "$M" "$RES/engine.json" 2>&1 | tee -a "$RES/run.log"
  [ -s "$RES/engine.json" ] || die "engine bench"
fi
if [ ! -s "$RES/engine-whole.json" ]; then
  left engine-whole
  log "engine, whole-prompt steps"
  NAME="engine, whole-prompt steps" CHUNK=0 SEQUENCES=$SEQ CONTEXT=$CTX node "$W/serving.mjs" engine "$M" "$RES/engine-whole.json" 2>&1 | tee -a "$RES/run.log"
fi
for S in ${MORE_SEQ:-}; do
  [ -s "$RES/engine-$S.json" ] && continue
  left "engine $S"
  log "engine, $S sequences"
  RATES=inf N=$((S * 2)) NAME="engine, $S sequences" SEQUENCES=$S CONTEXT=$CTX node "$W/serving.mjs" engine "$M" "$RES/engine-$S.json" 2>&1 | tee -a "$RES/run.log"
done
export BENCH_ENV="{\"card\":\"$CARD\",\"model\":\"random-weight Llama-2-7B shape, Q4_0\",\"llama.cpp\":\"$REL (node-llama-cpp 3.21.1 gitRelease.bundle)\"}"
node "$W/serving.mjs" report "$RES/serving.md" $(ls "$RES"/server.json "$RES"/engine*.json 2>/dev/null) > /dev/null || die "report"
log "done"
finish 0
