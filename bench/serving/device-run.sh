#!/usr/bin/env bash
# The serving benchmark on the GPU machine (README: Serving under load), from the repository root after
# bench/gpu/pack.sh: builds node-llama-cpp's addon, llama-server and llama-batched-bench in ONE CMake tree of the bundled
# llama.cpp sources (CUDA); writes a random-weight Llama-2-7B-shaped Q4_0 GGUF; then at each rate of RATES, N requests
# of the same seeded workload (fixed output lengths, end-of-sequence ignored, greedy) against
#   (b) the engine in-process, (a) our full /v1 path (route handler → Redis + BullMQ → a worker process, SQLite),
#   (c) llama-server's /completion; then llama-batched-bench at BATCHED (if time is left); writes $OUT/serving.md.
# What travels is the tree (~45 MB) plus one part of .gpu-bundle (64 MiB in all), so two calls on one warm machine:
#   call 1, carry [".gpu-bundle/p1"]: sources, node_modules, Node's first part: the build (~4.5 min);
#   call 2, carry [".gpu-bundle/p2"]: Node's second part, the benches, Redis, the database: the measurements (~7 min).
# The command is the same for both: bash bench/serving/device-run.sh. Every finished step (the build, the GGUF, each
# target's results) is kept on the machine and skipped, so a call cut off at its limit resumes when called again.
set -uo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
OUT=${OUT:-$ROOT/.gpu-out}
W=${WORK:-/tmp/depot-gpu}
JOBS=${JOBS:-$(nproc)}
SEQ=${SEQ:-32}
CTX=${CTX:-2048}
BATCHED=${BATCHED:-"32 64 128"}
export RATES=${RATES:-"4 8 16 inf"} N=${N:-128}
RES=$W/serving
SUMMARY=serving.md ARCHIVE=serving.tgz
source "$ROOT/bench/device-prelude.sh"
mkdir -p "$W/bin" "$W/models" "$W/parts"

log "unpack"
# Whichever part this call carries joins what earlier calls on this machine left.
find "$ROOT/.gpu-bundle" -type f \( -name 'node.xz.*' -o -name '*.tar.xz' -o -name bench.mjs -o -name gpu-check.mjs -o -name '*.mjs.xz' -o -name 'depot.db.xz' \) -exec cp {} "$W/parts/" \; 2>/dev/null
P=$W/parts
if [ ! -x "$W/bin/node" ] && [ -s "$P/node.xz.aa" ] && [ -s "$P/node.xz.ab" ]; then
  cat "$P"/node.xz.* | xz -dc > "$W/bin/node" && chmod +x "$W/bin/node" || die "node"
fi
export PATH="$W/bin:/usr/local/cuda/bin:$PATH"
NLC=$W/node_modules/node-llama-cpp
if [ ! -d "$NLC/dist" ] && [ -s "$P/node_modules.tar.xz" ]; then tar -xJf "$P/node_modules.tar.xz" -C "$W" || die "node_modules"; fi
if [ ! -f "$NLC/llama/llama.cpp/tools/server/CMakeLists.txt" ] && [ -s "$P/llama.cpp.tar.xz" ]; then
  mkdir -p "$NLC/llama/llama.cpp" && tar -xJf "$P/llama.cpp.tar.xz" -C "$NLC/llama/llama.cpp" || die "llama.cpp sources"
fi
[ -s "$P/bench.mjs" ] && cp "$P/bench.mjs" "$W/"
[ -s "$P/gpu-check.mjs" ] && cp "$P/gpu-check.mjs" "$W/"
[ -s "$P/serving.mjs.xz" ] && xz -dc "$P/serving.mjs.xz" > "$W/serving.mjs"
[ -s "$P/depot.db.xz" ] && xz -dc "$P/depot.db.xz" > "$W/depot.db"
if [ ! -x "$W/redis/redis-server" ] && [ -s "$P/redis.tar.xz" ]; then
  mkdir -p "$W/redis/bin" && tar -xJf "$P/redis.tar.xz" -C "$W/redis" || die "redis"
  # (a) starts redis-server from PATH as `npm start` does; its libraries (not glibc's) are for it alone.
  printf '#!/bin/sh\nLD_LIBRARY_PATH=%s/redis/lib exec %s/redis/redis-server "$@"\n' "$W" "$W" > "$W/redis/bin/redis-server"
  chmod +x "$W/redis/bin/redis-server"
fi
# node-llama-cpp's CMake file asks node for node-addon-api's folder; the build may run before Node is here.
cp "$W/node_modules/node-addon-api/"*.h "$W/node-headers/" 2>/dev/null
M=$W/models/llama2-7b-shape-q4_0.gguf
HAVE_NODE=$([ -x "$W/bin/node" ] && [ -s "$W/serving.mjs" ] && echo 1 || echo 0)
GGUF_PID=
if [ "$HAVE_NODE" = 1 ] && [ ! -s "$M" ]; then
  node "$W/bench.mjs" make-gguf q4_0 "$M" "$ROOT/test/fixtures/tiny-llama/hf" > "$RES/gguf.log" 2>&1 &
  GGUF_PID=$!
fi

BUILD=$W/build-serving
DEST=$NLC/llama/localBuilds/linux-x64-cuda
if [ ! -f "$BUILD/done" ]; then
  [ -f "$NLC/llama/llama.cpp/tools/server/CMakeLists.txt" ] || die "no llama.cpp sources: the first call carries .gpu-bundle/p1"
  REL=$(python3 -c "import json; print(json.load(open('$NLC/llama/llama.cpp.info.json'))['tag'])")
  log "configure (cuda, llama.cpp $REL)"
  cmake -S "$NLC/llama" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_JS_INC="$W/node-headers" -DNLC_CURRENT_PLATFORM=linux-x64 -DNLC_TARGET_PLATFORM=linux-x64 \
    -DNLC_VARIANT="cuda.$REL" -DGGML_BUILD_NUMBER=1 -DGGML_METAL=OFF -DGGML_CCACHE=OFF -DGGML_NATIVE=ON \
    -DLLAMA_CURL=OFF -DLLAMA_BUILD_BORINGSSL=OFF -DLLAMA_OPENSSL=OFF -DLLAMA_BUILD_TOOLS=ON \
    -DLLAMA_BUILD_SERVER=ON -DLLAMA_HTTPLIB=ON -DLLAMA_BUILD_UI=OFF -DLLAMA_USE_PREBUILT_UI=OFF \
    -DGGML_CUDA=ON -DCMAKE_CUDA_ARCHITECTURES=${CUDA_ARCH:-90} > "$RES/build.log" 2>&1 || die "configure (see build.log)"
  log "build -j$JOBS"
  # Stops in time to hand back the logs; ninja resumes from the finished objects on the next call.
  timeout "$(remaining)" cmake --build "$BUILD" --target llama-addon llama-server llama-batched-bench -j "$JOBS" >> "$RES/build.log" 2>&1 || die "build (see build.log)"
  log "build took $(($(date +%s) - START)) s"
  rm -rf "$DEST" && mkdir -p "$DEST/Release"
  find "$BUILD" \( -name 'llama-addon.node' -o -name '*.so' -o -name llama-server -o -name llama-batched-bench \) -type f -exec cp {} "$DEST/Release/" \;
  echo "{\"buildOptions\":{\"customCmakeOptions\":{},\"progressLogs\":true,\"platform\":\"linux\",\"platformInfo\":{\"name\":\"\",\"version\":\"\"},\"arch\":\"x64\",\"gpu\":\"cuda\",\"llamaCpp\":{\"repo\":\"ggml-org/llama.cpp\",\"release\":\"$REL\"}}}" > "$DEST/Release/_nlcBuildMetadata.json"
  echo "$REL" > "$BUILD/release"
  touch "$DEST/buildDone.status" "$BUILD/done"
fi
REL=$(cat "$BUILD/release")
SERVER=$DEST/Release/llama-server
[ -x "$SERVER" ] || die "no llama-server"
[ "$HAVE_NODE" = 1 ] || { log "built; the next call carries .gpu-bundle/p2 (Node's second part and the benches)"; finish 0; }
export LD_LIBRARY_PATH="$DEST/Release:${LD_LIBRARY_PATH:-}"
if [ -n "$GGUF_PID" ]; then wait "$GGUF_PID" || die "gguf (see gguf.log)"; cat "$RES/gguf.log" >> "$RES/run.log"; fi
[ -s "$M" ] || die "no GGUF"
nvidia-smi > "$RES/nvidia-smi.txt" 2>&1
CARD=$(nvidia-smi --query-gpu=name --format=csv,noheader | head -1)
# The three targets: the same engine settings for (a) and (b), llama-server with as many slots of the same context.
export SEQUENCES=$SEQ CONTEXT=$CTX
# TARGETS picks which of the three run (e.g. TARGETS=server on a second machine for llama-server alone).
TARGETS=${TARGETS:-"engine depot server"}
want() { [[ " $TARGETS " == *" $1 "* ]]; }

# (b) the engine in-process.
if want engine && [ ! -s "$RES/engine.json" ]; then
  left engine 100
  log "(b) engine, $SEQ sequences"
  NAME=engine timeout "$(remaining)" node "$W/serving.mjs" engine "$M" "$RES/engine.json" 2>&1 | tee -a "$RES/run.log"
  [ -s "$RES/engine.json" ] || die "engine bench"
  save
fi
# (a) our full path, Redis embedded as `npm start` embeds it (redis-server from PATH), a fresh SQLite database.
if want depot && [ ! -s "$RES/depot.json" ]; then
  left depot 120
  log "(a) depot /v1, $SEQ sequences"
  rm -rf "$W/depot-data" && mkdir -p "$W/depot-data"
  PATH="$W/redis/bin:$PATH" DB_TEMPLATE=$W/depot.db DEPOT_DATA=$W/depot-data WORKER_LOG=$RES/depot-worker.log NAME="depot /v1" \
    timeout "$(remaining)" node "$W/serving.mjs" depot "$M" "$RES/depot.json" 2>&1 | tee -a "$RES/run.log"
  [ -s "$RES/depot.json" ] || die "depot bench (see depot-worker.log)"
  save
fi
# (c) llama-server: the same per-sequence context (-c is the total), continuous batching, all layers on the GPU, its
# defaults otherwise (batch 2048 / ubatch 512, flash attention auto, the slot prompt cache on).
if want server && [ ! -s "$RES/server.json" ]; then
  left llama-server 150
  log "(c) llama-server --parallel $SEQ"
  "$SERVER" -m "$M" -c $((CTX * SEQ)) -np "$SEQ" -ngl 99 --host 127.0.0.1 --port 8090 --cont-batching > "$RES/server.log" 2>&1 &
  SPID=$!
  for _ in $(seq 120); do
    node -e 'fetch("http://127.0.0.1:8090/health").then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' && break
    sleep 1
  done
  NAME=llama-server CONDITIONS="{\"parallel\":$SEQ,\"contextPerSlot\":$CTX,\"endpoint\":\"/completion\"}" \
    timeout "$(remaining)" node "$W/serving.mjs" llama-server http://127.0.0.1:8090 "$RES/server.json" 2>&1 | tee -a "$RES/run.log"
  kill $SPID; wait $SPID 2>/dev/null
  [ -s "$RES/server.json" ] || die "llama-server bench (see server.log)"
  save
fi
export BENCH_ENV="{\"card\":\"$CARD\",\"model\":\"random-weight Llama-2-7B shape, Q4_0\",\"llama.cpp\":\"$REL (node-llama-cpp 3.21.1 gitRelease.bundle)\"}"
report() {
  [ -s "$RES/engine.json" ] && [ -s "$RES/depot.json" ] && [ -s "$RES/server.json" ] || return 0
  node "$W/serving.mjs" report "$RES/serving.md" "$RES"/engine.json "$RES"/depot.json "$RES"/server.json > /dev/null || die "report"
  if [ -s "$RES/batched.jsonl" ]; then
    { echo; echo "### llama-batched-bench (prompt 512, 128 generated per sequence)"; echo; echo '```'; cat "$RES/batched.jsonl"; echo '```'; } >> "$RES/serving.md"
  fi
}
report
save
# llama-batched-bench beyond 32 sequences, where time is left: its throughput at each parallelism.
if [ ! -s "$RES/batched.jsonl" ]; then
  left llama-batched-bench 60
  MAXB=$(echo $BATCHED | tr ' ' '\n' | sort -n | tail -1)
  log "llama-batched-bench $BATCHED"
  timeout "$(remaining)" "$DEST/Release/llama-batched-bench" -m "$M" -c $((640 * MAXB)) -ngl 99 -npp 512 -ntg 128 \
    -npl "1,$(echo $BATCHED | tr ' ' ,)" --output-format jsonl > "$RES/batched.log" 2>&1 || log "llama-batched-bench failed (see batched.log)"
  grep '^{' "$RES/batched.log" > "$RES/batched.jsonl"
  report
fi
# Issue 20's check on this card: one worker's view of one GPU (CUDA_VISIBLE_DEVICES=0) as `npm start --worker-per-gpu`
# gives it, the native split options and the per-device budget (scripts/gpu-check.ts).
if [ -s "$W/gpu-check.mjs" ] && [ ! -s "$RES/gpu-check.txt" ]; then
  log "gpu-check (CUDA_VISIBLE_DEVICES=0)"
  (cd "$W" && CUDA_VISIBLE_DEVICES=0 CUDA_DEVICE_ORDER=PCI_BUS_ID timeout "$(remaining)" node gpu-check.mjs "$M") > "$RES/gpu-check.txt" 2>&1
  tail -8 "$RES/gpu-check.txt" | tee -a "$RES/run.log"
  save
fi
log "done"
finish 0
