#!/usr/bin/env bash
# One self-contained GPU benchmark run (see the README's GPU section). From the repository root, after bench/gpu/pack.sh:
#   unpacks .gpu-bundle/ (Node, node-llama-cpp, llama.cpp sources), builds node-llama-cpp's addon and
#   llama-batched-bench in ONE CMake tree of the same llama.cpp sources, writes random-weight Llama-2-7B-shaped
#   GGUFs (Q4_0, F16) meanwhile, runs our engine and llama-batched-bench on each, and writes $OUT/results.md.
# GPU=cpu rehearses the whole thing without CUDA; TYPES, PAR, SHAPE=tiny shrink it.
set -uo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
B=$ROOT/.gpu-bundle
OUT=${OUT:-$ROOT/.gpu-out}
W=${WORK:-/tmp/depot-gpu}
GPU=${GPU:-cuda}
JOBS=${JOBS:-$(nproc)}
TYPES=${TYPES:-"q4_0 f16"}
export PAR=${PAR:-"1 4 8 16 32"}
RES=$W/results
SUMMARY=results.md ARCHIVE=results.tgz
# Steps that finished on this machine (build, GGUFs, each model's benches) are skipped, so a run cut off by the
# 10-minute limit resumes where it stopped when called again on the same warm machine.
source "$ROOT/bench/device-prelude.sh"
mkdir -p "$W/bin" "$W/models"

log "unpack"
[ -x "$W/bin/node" ] || { xz -dc "$B/node.xz" > "$W/bin/node" && chmod +x "$W/bin/node"; } || die "node"
export PATH="$W/bin:$PATH"
NLC=$W/node_modules/node-llama-cpp
[ -d "$NLC/dist" ] || tar -xJf "$B/node_modules.tar.xz" -C "$W" || die "node_modules"
[ -f "$NLC/llama/llama.cpp/CMakeLists.txt" ] || { mkdir -p "$NLC/llama/llama.cpp" && tar -xJf "$B/llama.cpp.tar.xz" -C "$NLC/llama/llama.cpp"; } || die "llama.cpp sources"
cp "$B/bench.mjs" "$W/bench.mjs"
BENCH="$W/bench.mjs"

# Random-weight GGUFs, written while the build runs (the build is the long pole).
(
  for t in $TYPES; do
    [ -s "$W/models/llama2-7b-shape-$t.gguf" ] || node "$BENCH" make-gguf "$t" "$W/models/llama2-7b-shape-$t.gguf" "$ROOT/test/fixtures/tiny-llama/hf"
  done
) > "$RES/gguf.log" 2>&1 &
GGUF_PID=$!

if [ "$GPU" = cuda ]; then
  export PATH="/usr/local/cuda/bin:$PATH"
  GPU_FLAGS=(-DGGML_CUDA=ON -DCMAKE_CUDA_ARCHITECTURES=${CUDA_ARCH:-90})
  VARIANT=cuda
  NAME=linux-x64-cuda
else
  GPU_FLAGS=()
  VARIANT=cpu
  NAME=linux-x64
fi
REL=$(node -p "require('$NLC/llama/llama.cpp.info.json').tag")
BUILD=$W/build-$VARIANT
DEST=$NLC/llama/localBuilds/$NAME
if [ -f "$B/build-$VARIANT.tar.xz" ] && [ ! -f "$BUILD/done" ]; then
  # A build brought back from an earlier run of this script (KEEP_BUILD=1): the same sources, minutes saved.
  log "using the carried build"
  mkdir -p "$BUILD" "$DEST/Release" && tar -xJf "$B/build-$VARIANT.tar.xz" -C "$DEST/Release" && touch "$BUILD/done" "$BUILD/carried" || die "carried build"
fi
if [ ! -f "$BUILD/done" ]; then
  log "configure ($VARIANT, llama.cpp $REL)"
  # The options node-llama-cpp's own source build passes (compileLLamaCpp.js), plus the tools for llama-batched-bench.
  cmake -S "$NLC/llama" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_JS_INC="$W/node-headers" -DNLC_CURRENT_PLATFORM=linux-x64 -DNLC_TARGET_PLATFORM=linux-x64 \
    -DNLC_VARIANT="$([ "$GPU" = cuda ] && echo "cuda.")$REL" -DGGML_BUILD_NUMBER=1 -DGGML_METAL=OFF -DGGML_CCACHE=OFF \
    -DGGML_NATIVE=ON -DLLAMA_CURL=OFF -DLLAMA_HTTPLIB=OFF -DLLAMA_BUILD_BORINGSSL=OFF -DLLAMA_OPENSSL=OFF \
    -DLLAMA_BUILD_TOOLS=ON -DLLAMA_BUILD_SERVER=OFF "${GPU_FLAGS[@]}" > "$RES/build.log" 2>&1 || die "configure (see build.log)"
  log "build -j$JOBS"
  # Stops in time to hand back the logs; ninja resumes from the finished objects on the next call.
  timeout "$(remaining)" cmake --build "$BUILD" --target llama-addon llama-batched-bench -j "$JOBS" >> "$RES/build.log" 2>&1 || die "build (see build.log)"
  log "build took $(($(date +%s) - START)) s"
  touch "$BUILD/done"
fi
log "built"

# Install the addon where node-llama-cpp looks for a local build (llama/localBuilds/<name>/Release), with
# llama-batched-bench beside it (both find the shared libraries through RUNPATH $ORIGIN).
if [ ! -f "$BUILD/carried" ]; then
  rm -rf "$DEST" && mkdir -p "$DEST/Release"
  find "$BUILD" \( -name 'llama-addon.node' -o -name '*.so' -o -name llama-batched-bench \) -type f -exec cp {} "$DEST/Release/" \;
fi
# KEEP_BUILD=1: bring the built libraries back (once packed, every call), to carry to a fresh machine next time.
if [ "${KEEP_BUILD:-0}" = 1 ] && [ ! -f "$BUILD/carried" ]; then
  [ -s "$W/build-$VARIANT.tar.xz" ] || tar -C "$DEST/Release" -cf - . | xz -6 -T0 > "$W/build-$VARIANT.tar.xz"
  cp "$W/build-$VARIANT.tar.xz" "$OUT/"
fi
GPU_JSON=$([ "$GPU" = cuda ] && echo '"cuda"' || echo false)
echo "{\"buildOptions\":{\"customCmakeOptions\":{},\"progressLogs\":true,\"platform\":\"linux\",\"platformInfo\":{\"name\":\"\",\"version\":\"\"},\"arch\":\"x64\",\"gpu\":$GPU_JSON,\"llamaCpp\":{\"repo\":\"ggml-org/llama.cpp\",\"release\":\"$REL\"}}}" > "$DEST/Release/_nlcBuildMetadata.json"
touch "$DEST/buildDone.status"
BB=$DEST/Release/llama-batched-bench
ls "$DEST/Release" >> "$RES/build.log"
[ -x "$BB" ] || die "no llama-batched-bench"
export LD_LIBRARY_PATH="$DEST/Release:${LD_LIBRARY_PATH:-}"

wait $GGUF_PID || die "gguf (see gguf.log)"
cat "$RES/gguf.log" | tee -a "$RES/run.log"

if command -v nvidia-smi > /dev/null; then
  nvidia-smi > "$RES/nvidia-smi.txt" 2>&1
  CARD=$(nvidia-smi --query-gpu=name --format=csv,noheader | head -1)
  DRIVER=$(nvidia-smi --query-gpu=driver_version --format=csv,noheader | head -1)
  CUDA=$(nvcc --version | sed -n 's/.*release \([0-9.]*\).*/\1/p')
else
  CARD="CPU $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"; DRIVER=-; CUDA=-
fi
# VARIANTS: engine settings to measure, each against the same llama-batched-bench rows; "default" is the engine as
# in the working tree, "committed" the same bench built against BASE_REV's lib/ (pack.sh); others join tokens with "+": t1 (1 CPU thread per context), poll / nopoll (busy polling on / off),
# uv16 (UV_THREADPOOL_SIZE=16: libuv's pool runs node-llama-cpp's sampling calls), nobatch (BatchDecoder without the
# native batch sampling: node-llama-cpp's decode call plus one sampling call per sequence), r2 (a label: the same
# settings measured again).
VARIANTS=${VARIANTS:-default}
variant_env() {
  local e=(VARIANT="$1")
  for k in ${1//+/ }; do
    case $k in
      default | committed | r2) ;;
      t1) e+=(ENGINE_THREADS=1) ;;
      poll) e+=(ENGINE_BUSY_POLL=1) ;;
      nopoll) e+=(ENGINE_BUSY_POLL=0) ;;
      uv16) e+=(UV_THREADPOOL_SIZE=16) ;;
      nobatch) e+=(ENGINE_BATCH_SAMPLING=0) ;;
      *) die "unknown variant token $k" ;;
    esac
  done
  echo "${e[@]}"
}
PAIRS=()
# A leading 1 warms llama-batched-bench up (its first row includes CUDA start-up); the report keeps each B's last row.
PL=1,$(echo $PAR | tr ' ' ,)
MAXB=$(echo $PAR | tr ' ' '\n' | sort -n | tail -1)
for t in $TYPES; do
  M=$W/models/llama2-7b-shape-$t.gguf
  left "$t"
  if [ ! -s "$RES/llama-$t.jsonl" ]; then
    log "llama-batched-bench $t"
    # Same per-sequence context as our engine (1024 tokens × the largest parallelism), all layers on the GPU.
    "$BB" -m "$M" -c $((1024 * MAXB)) -ngl 99 -npp 512 -ntg 128 -npl "$PL" --output-format jsonl \
      > "$RES/llama-$t.log" 2>&1 || die "llama-batched-bench $t (see llama-$t.log)"
    grep '^{' "$RES/llama-$t.log" > "$RES/llama-$t.jsonl"
    cat "$RES/llama-$t.jsonl" >> "$RES/run.log"
  fi
  for v in $VARIANTS; do
    PAIRS+=("$RES/ours-$t-$v.json:$RES/llama-$t.jsonl")
    [ -s "$RES/ours-$t-$v.json" ] && continue
    left "$t $v"
    log "engine $t ($v)"
    script=$BENCH
    [[ $v == committed* ]] && cp "$B/bench-committed.mjs" "$W/bench-committed.mjs" && script=$W/bench-committed.mjs
    env $(variant_env "$v") node "$script" engine "$M" "$RES/ours-$t-$v.json" > "$RES/ours-$t-$v.log" 2>&1
    cat "$RES/ours-$t-$v.log" >> "$RES/run.log"
    [ -s "$RES/ours-$t-$v.json" ] || die "engine $t $v (see ours-$t-$v.log)"
  done
done
export BENCH_ENV="{\"card\":\"$CARD\",\"driver\":\"$DRIVER\",\"cuda\":\"$CUDA\",\"nodeLlamaCpp\":\"$(node -p "require('$NLC/package.json').version")\",\"llamaCpp\":\"$REL (node-llama-cpp's gitRelease.bundle)\"}"
node "$BENCH" report "$RES/results.md" "${PAIRS[@]}" || die "report"
log "done"
finish 0
