import { existsSync } from "node:fs";
import path from "node:path";
import { logger } from "../../log/logger";

/** What scripts/build-wasm.ts compiles from native/k-quants/k-quants.as (on postinstall and before `npm test`). */
const FILE = "native/k-quants/build/k-quants.wasm";

/**
 * The K-quant kernel factory (k-quants.ts) reads the module from the file this variable names: its worker-thread
 * copies have only their source text and the environment to go by. Looked for beside this module's checkout, else
 * under the working directory (code bundled elsewhere, e.g. bench/convert's child, runs from the checkout); an
 * explicit value wins.
 */
export const K_QUANTS_WASM_ENV = "DEPOT_K_QUANTS_WASM";

function locate(): string {
  // A Next.js bundle has no import.meta.dirname; it runs from the checkout.
  const here = import.meta.dirname as string | undefined;
  const candidates = [...(here ? [path.resolve(here, "../../..", FILE)] : []), path.resolve(FILE)];
  return (process.env[K_QUANTS_WASM_ENV] ??= candidates.find((f) => existsSync(f)) ?? candidates[0]!);
}

const file = locate();
/** undefined until the first call checks. */
let error: string | null | undefined;

/**
 * Why the WebAssembly kernels are not in use (logged once), or null when they are. Checked on first call, not at
 * import: the logger reads config(), which must not be frozen before a process has set its environment.
 */
export function kQuantsWasmError(): string | null {
  if (error !== undefined) return error;
  try {
    new WebAssembly.Module(process.getBuiltinModule("node:fs").readFileSync(file));
    error = null;
  } catch (e) {
    error = String((e as Error).message ?? e);
    logger("convert").warn("K-quants run in the JavaScript kernels (same bytes, slower): the WebAssembly module did not load (npm run postinstall builds it)", { file, error });
  }
  return error;
}
