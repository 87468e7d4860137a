// `npm test`: builds the web app if needed, then runs every suite against real services:
//   1. unit + integration specs on SQLite (vitest.config.ts; a private Redis per run),
//   2. the integration specs again on PostgreSQL (skipped with a visible message when none answers),
//   3. end-to-end tests in Debian's Chromium (vitest.e2e.config.ts).
// It ends with one "N passed, N failed" line summing all passes.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { buildIfNeeded } from "./build";
import { buildKQuantsWasmIfStale } from "./build-wasm";

const root = path.resolve(import.meta.dirname, "..");
const vitest = path.join(root, "node_modules", ".bin", "vitest");
const pgUrl = process.env.TEST_PG_URL ?? "postgresql://postgres@127.0.0.1:5432/test";
const extraArgs = process.argv.slice(2);

type Totals = { passed: number; failed: number; skipped: number };
const totals: Totals = { passed: 0, failed: 0, skipped: 0 };

function runVitest(label: string, args: string[], env: Record<string, string>): boolean {
  console.log(`\n━━ ${label} ━━`);
  const report = path.join(mkdtempSync(path.join(os.tmpdir(), "depot-vitest-")), "report.json");
  const res = spawnSync(vitest, ["run", ...args, "--reporter=default", "--reporter=json", `--outputFile.json=${report}`, ...extraArgs], {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, ...env },
  });
  if (existsSync(report)) {
    const r = JSON.parse(readFileSync(report, "utf8")) as { numPassedTests: number; numFailedTests: number; numPendingTests: number; numTodoTests: number };
    totals.passed += r.numPassedTests;
    totals.failed += r.numFailedTests;
    totals.skipped += r.numPendingTests + r.numTodoTests;
  }
  return res.status === 0;
}

async function postgresAvailable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: pgUrl, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query("select 1");
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

await buildIfNeeded();
// The K-quant specs run the WebAssembly kernels and fail without them: build them where a checkout lacks them.
const wasmFailure = await buildKQuantsWasmIfStale();
if (wasmFailure) console.log(`\n!! the K-quant WebAssembly module did not build: ${wasmFailure}`);
const results: [string, boolean][] = [];
results.push(["unit + integration (SQLite)", runVitest("unit + integration on SQLite", [], { TEST_DB: "sqlite" })]);
if (await postgresAvailable()) {
  results.push(["integration (PostgreSQL)", runVitest("integration on PostgreSQL", ["int.spec"], { TEST_DB: "pg", TEST_PG_URL: pgUrl })]);
} else {
  console.log(`\n!! SKIPPED the PostgreSQL pass: no PostgreSQL answered at ${pgUrl} (set TEST_PG_URL to run it)`);
}
results.push(["end-to-end (Chromium)", runVitest("end-to-end in Chromium", ["--config", "vitest.e2e.config.ts"], {})]);

console.log("\n━━ summary ━━");
for (const [label, ok] of results) console.log(`${ok ? "ok  " : "FAIL"} ${label}`);
console.log(`${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(results.every(([, ok]) => ok) ? 0 : 1);
