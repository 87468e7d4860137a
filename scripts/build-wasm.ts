// Compiles native/k-quants (AssemblyScript: the K-quant quantizers, lib/convert/quants/k-quants-wasm.ts) to
// WebAssembly on postinstall and before the tests, with the assemblyscript package: no toolchain, nothing downloaded.
// It never fails the install: without the .wasm, llama-quantize's K-quants run in the JavaScript kernels (slower, the
// same bytes), and the app says so once in the log.
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
export const K_QUANTS_SOURCE = path.join(root, "native/k-quants/k-quants.as");
export const K_QUANTS_WASM = path.join(root, "native/k-quants/build/k-quants.wasm");

/** Returns why the module was not built (removing an older build: the app then runs the JS kernels), or null once it is. */
export async function buildKQuantsWasm(): Promise<string | null> {
  const failure = await compile();
  if (failure) rmSync(K_QUANTS_WASM, { force: true });
  return failure;
}

async function compile(): Promise<string | null> {
  try {
    const asc = (await import("assemblyscript/asc")).default;
    // compileString, not asc's file entry: the source is .as so that the app's tsc and eslint pass it by.
    const out = await asc.compileString(
      { "k-quants.ts": readFileSync(K_QUANTS_SOURCE, "utf8") },
      { optimizeLevel: 3, shrinkLevel: 0, converge: true, noAssert: true, runtime: "stub", enable: ["simd"], use: ["abort="] },
    );
    if (out.error || !out.binary) return `${out.error?.message ?? "no binary"}\n${out.stderr.toString().trim()}`;
    mkdirSync(path.dirname(K_QUANTS_WASM), { recursive: true });
    writeFileSync(K_QUANTS_WASM, out.binary);
    return null;
  } catch (e) {
    return String((e as Error).message ?? e);
  }
}

/** Builds the module where it is missing or older than its source (the test run's step). */
export async function buildKQuantsWasmIfStale(): Promise<string | null> {
  const mtime = (f: string) => {
    try {
      return statSync(f).mtimeMs;
    } catch {
      return -1;
    }
  };
  return mtime(K_QUANTS_WASM) >= mtime(K_QUANTS_SOURCE) ? null : buildKQuantsWasm();
}

if (import.meta.filename === path.resolve(process.argv[1] ?? "")) {
  const failure = await buildKQuantsWasm();
  console.log(
    failure === null
      ? `built the K-quant WebAssembly module (${path.relative(root, K_QUANTS_WASM)})`
      : `K-quant WebAssembly module not built, llama-quantize's K-quants will run in JavaScript: ${failure}`,
  );
}
