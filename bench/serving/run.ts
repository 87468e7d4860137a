// The serving benchmark (bench/serving/README in the main README's Serving section), in the style of vLLM's
// benchmark_serving.py: the workload of workload.ts at each rate against one target, then a markdown report.
//   engine <model.gguf> <out.json>        (b) the engine in-process (env: SEQUENCES, CONTEXT, CHUNK, CACHE=0, PREFIX=1, THREADS)
//   depot <model.gguf> <out.json>         (a) our full request path (depot-path.ts), the same engine env as (b); REDIS_URL
//                                         or an embedded redis-server as `npm start` starts it; DB_TEMPLATE: a migrated
//                                         SQLite file to copy (pack.sh writes one); DEPOT_DATA: its DATA_DIR
//   worker <model.gguf>                   (a)'s worker process (started by `depot`)
//   llama-server <baseUrl> <out.json>     (c) llama-server's /completion (env: NAME, PREFIX=1, CONDITIONS)
//   openai <baseUrl> <out.json>           any OpenAI-compatible /v1/completions, e.g. our own web server's
//   report <out.md> <result.json>...      tables per rate, ratios against llama-server and (a) against (b), the prefix-cache effect
// Common env: RATES (e.g. "4 8 16 inf"), N (requests per rate), SEED, REHEARSAL=1 (short prompts and outputs for the
// tiny fixture on a CPU).
import { copyFile, mkdtemp, readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { depotLlama } from "../../lib/inference/llama";
import { startRedis } from "../../lib/redis/start-redis";
import { depotEnv, depotTarget, runDepotWorker } from "./depot-path";
import { runChat, runRates, runSharedPrefix, type ChatResult, type PrefixResult, type RateResult } from "./measure";
import { benchResidency, engineTarget, llamaServerTarget, openaiTarget, type EngineParams, type Target } from "./targets";
import { CHAT_SHAPE, type WorkloadShape } from "./workload";

export type ServingResult = {
  target: string;
  conditions: Record<string, string | number | boolean>;
  rates: RateResult[];
  prefix?: { batch: PrefixResult; chat: ChatResult; batchNoCache?: PrefixResult; chatNoCache?: ChatResult };
  engineStats?: Record<string, number>;
};

/** The rehearsal's workload: prompts and outputs the tiny fixture's 2,048-token context holds many times over. */
export const REHEARSAL_SHAPE: WorkloadShape = { promptMedian: 12, promptMax: 48, outputMedian: 8, outputMax: 24 };

const env = (k: string, d: string) => process.env[k] ?? d;
const log = (s: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${s}`);

export type BenchSettings = { rates: number[]; n: number; seed: number; shape: WorkloadShape; prefix: boolean; rehearsal: boolean };

export function settingsFromEnv(): BenchSettings {
  const rehearsal = env("REHEARSAL", "0") === "1";
  return {
    rates: env("RATES", rehearsal ? "4 inf" : "4 8 16 inf")
      .split(/[ ,]+/)
      .map((r) => (r === "inf" ? Infinity : Number(r))),
    n: Number(env("N", rehearsal ? "8" : "128")),
    seed: Number(env("SEED", "1")),
    shape: rehearsal ? REHEARSAL_SHAPE : CHAT_SHAPE,
    prefix: env("PREFIX", "0") === "1",
    rehearsal,
  };
}

/** The prefix scenarios' sizes: 1,000-token-ish prefixes (~770 words) on a GPU, a few dozen tokens in rehearsal. */
const prefixParams = (s: BenchSettings) =>
  s.rehearsal
    ? { batch: { n: 8, prefixWords: 40, itemWords: 4, maxTokens: 4, seed: s.seed }, chat: { turns: 4, systemWords: 20, userWords: 6, maxTokens: 6, seed: s.seed } }
    : { batch: { n: 128, prefixWords: 770, itemWords: 30, maxTokens: 16, seed: s.seed }, chat: { turns: 10, systemWords: 200, userWords: 50, maxTokens: 64, seed: s.seed } };

export async function measureTarget(target: Target, s: BenchSettings, conditions: ServingResult["conditions"], noCache?: () => Promise<Target>): Promise<ServingResult> {
  const rates = await runRates(target, { rates: s.rates, n: s.n, seed: s.seed, shape: s.shape, log });
  const result: ServingResult = { target: target.name, conditions, rates };
  if (s.prefix) {
    const p = prefixParams(s);
    const batch = await runSharedPrefix(target, p.batch);
    const chat = await runChat(target, p.chat);
    log(`${target.name} shared prefix: ${batch.itemsPerS} items/s; chat TTFT ${chat.ttftMs.join(" ")} ms`);
    result.prefix = { batch, chat };
    if (noCache) {
      const off = await noCache();
      try {
        result.prefix.batchNoCache = await runSharedPrefix(off, p.batch);
        result.prefix.chatNoCache = await runChat(off, p.chat);
        log(`${target.name} without the prefix cache: ${result.prefix.batchNoCache.itemsPerS} items/s; chat TTFT ${result.prefix.chatNoCache.ttftMs.join(" ")} ms`);
      } finally {
        await off.close();
      }
    }
  }
  return result;
}

type EngineEnv = Omit<EngineParams, "llama" | "modelPath">;

/** The engine settings of (b) and of (a)'s worker, from the same env. */
function engineFromEnv(): EngineEnv {
  return {
    sequences: Number(env("SEQUENCES", "32")),
    contextSize: Number(env("CONTEXT", "2048")),
    prefillChunk: process.env.CHUNK === undefined ? undefined : Number(process.env.CHUNK),
    ...(env("CACHE", "1") === "0" ? { prefixCacheTokens: 0 } : {}),
    // THREADS=1 on a shared CPU machine: node-llama-cpp's default thread count oversubscribes it (minutes per rehearsal).
    threads: Number(env("THREADS", "0")),
  };
}

const engineConditions = (e: EngineEnv, s: BenchSettings) => ({
  sequences: e.sequences,
  contextSize: e.contextSize,
  prefillChunk: e.prefillChunk ?? "default (256)",
  prefixCache: e.prefixCacheTokens !== 0,
  n: s.n,
  seed: s.seed,
});

async function main(argv: string[]): Promise<void> {
  const [cmd, ...args] = argv;
  const s = settingsFromEnv();
  if (cmd === "engine") {
    const [modelPath, out] = args as [string, string];
    const llama = await depotLlama();
    const p = { llama, modelPath, ...engineFromEnv() };
    const name = env("NAME", "engine");
    const target = await engineTarget({ ...p, name });
    try {
      const noCache = p.prefixCacheTokens === 0 ? undefined : () => engineTarget({ ...p, prefixCacheTokens: 0, name: `${name} (no prefix cache)` });
      const result = await measureTarget(target, s, { backend: String(llama.gpu), ...engineConditions(p, s) }, noCache);
      result.engineStats = target.stats();
      await writeFile(out, JSON.stringify(result, null, 2));
    } finally {
      await target.close();
    }
  } else if (cmd === "worker") {
    const [modelPath] = args as [string];
    const llama = await depotLlama();
    await runDepotWorker(await benchResidency({ llama, modelPath, ...engineFromEnv() }));
    // startWorker's consumers keep this process up until SIGTERM.
    await new Promise(() => {});
  } else if (cmd === "depot") {
    const [modelPath, out] = args as [string, string];
    const dataDir = process.env.DEPOT_DATA ?? (await mkdtemp(path.join(os.tmpdir(), "depot-bench-")));
    const databaseUrl = `file:${path.join(dataDir, "depot.db")}`;
    await copyFile(env("DB_TEMPLATE", "(DB_TEMPLATE unset)"), path.join(dataDir, "depot.db"));
    const redis = process.env.REDIS_URL ? undefined : await startRedis({ dir: path.join(dataDir, "redis"), quiet: true });
    const e = engineFromEnv();
    // Before anything reads config(): the web side (this process) and the worker share these. LOG_LEVEL as deployed
    // (info: a line per job in the worker's log).
    Object.assign(process.env, { DATA_DIR: dataDir, DATABASE_URL: databaseUrl, REDIS_URL: process.env.REDIS_URL ?? redis!.url, ...depotEnv(e.sequences) });
    const target = await depotTarget({ dataDir, modelPath, workerCommand: [process.execPath, ...process.execArgv, process.argv[1]!, "worker", modelPath], name: env("NAME", "depot /v1") });
    try {
      const conditions = { path: "/v1 route handler → Redis + BullMQ → worker process", database: "SQLite", ...engineConditions(e, s) };
      const result = await measureTarget(target, s, conditions);
      await writeFile(out, JSON.stringify(result, null, 2));
    } finally {
      await target.close();
      if (process.env.WORKER_LOG) await writeFile(process.env.WORKER_LOG, target.workerOutput());
      await redis?.stop();
    }
  } else if (cmd === "llama-server" || cmd === "openai") {
    const [baseUrl, out] = args as [string, string];
    const target =
      cmd === "llama-server"
        ? llamaServerTarget({ baseUrl, name: env("NAME", "llama-server") })
        : openaiTarget({ baseUrl, model: env("MODEL", "model"), name: env("NAME", "openai"), apiKey: process.env.API_KEY });
    const result = await measureTarget(target, s, { baseUrl, n: s.n, seed: s.seed, ...JSON.parse(env("CONDITIONS", "{}")) });
    await writeFile(out, JSON.stringify(result, null, 2));
  } else if (cmd === "report") {
    const [out, ...files] = args as [string, ...string[]];
    const results = await Promise.all(files.map(async (f) => JSON.parse(await readFile(f, "utf8")) as ServingResult));
    const md = renderServingReport(results, JSON.parse(env("BENCH_ENV", "{}")) as Record<string, string>);
    await writeFile(out, md);
    console.log(md);
  } else {
    throw new Error(`unknown command ${cmd ?? "(none)"}`);
  }
}

const f1 = (x: number) => x.toFixed(1);

export function renderServingReport(results: ServingResult[], envInfo: Record<string, string>): string {
  const lines: string[] = [];
  for (const [k, v] of Object.entries(envInfo)) lines.push(`- ${k}: ${v}`);
  for (const r of results) lines.push(`- ${r.target}: ${Object.entries(r.conditions).map(([k, v]) => `${k} ${v}`).join(", ")}`);
  const server = results.find((r) => r.target.startsWith("llama-server"));
  const engine = results.find((r) => r.target === "engine");
  const rates = [...new Set(results.flatMap((r) => r.rates.map((x) => String(x.rate))))];
  for (const rate of rates) {
    lines.push("", `### Rate ${rate === "inf" ? "all at once" : `${rate} req/s`}`, "");
    lines.push("| target | done | req/s | output tok/s | vs llama-server | vs engine | prompt / output tok per req | TTFT p50 / p90 / p99 ms | TPOT p50 / p90 / p99 ms | ITL p50 / p90 / p99 ms |");
    lines.push("|---|---:|---:|---:|---:|---:|---:|---|---|---|");
    const at = (r: ServingResult | undefined) => r?.rates.find((y) => String(y.rate) === rate);
    const ratio = (x: RateResult, base: RateResult | undefined) => (base && base.outputTokensPerS > 0 ? (x.outputTokensPerS / base.outputTokensPerS).toFixed(2) : "-");
    for (const r of results) {
      const x = at(r);
      if (!x) continue;
      const p = (q: { p50: number; p90: number; p99: number }) => `${f1(q.p50)} / ${f1(q.p90)} / ${f1(q.p99)}`;
      lines.push(
        `| ${r.target} | ${x.completed}/${x.n} | ${x.requestsPerS.toFixed(2)} | ${f1(x.outputTokensPerS)} | ${ratio(x, at(server))} | ${ratio(x, at(engine))} | ${f1(x.meanPromptTokens)} / ${f1(x.meanOutputTokens)} | ${p(x.ttftMs)} | ${p(x.tpotMs)} | ${p(x.itlMs)} |`,
      );
    }
  }
  const withPrefix = results.filter((r) => r.prefix);
  if (withPrefix.length) {
    lines.push("", "### Prefix scenarios", "", "| target | shared-prefix batch items/s | without cache | ratio | chat TTFT turn 1 / turn N ms | without cache | turn N / turn 1 |", "|---|---:|---:|---:|---|---|---:|");
    for (const r of withPrefix) {
      const p = r.prefix!;
      const off = p.batchNoCache;
      const t = p.chat.ttftMs;
      const to = p.chatNoCache?.ttftMs;
      lines.push(
        `| ${r.target} | ${p.batch.itemsPerS.toFixed(2)} | ${off ? off.itemsPerS.toFixed(2) : "-"} | ${off ? (p.batch.itemsPerS / off.itemsPerS).toFixed(2) : "-"} | ${f1(t[0]!)} / ${f1(t.at(-1)!)} | ${to ? `${f1(to[0]!)} / ${f1(to.at(-1)!)}` : "-"} | ${(t.at(-1)! / t[0]!).toFixed(2)} |`,
      );
    }
  }
  return `${lines.join("\n")}\n`;
}

if (import.meta.filename === process.argv[1] || process.argv[1]?.endsWith("serving.mjs")) {
  main(process.argv.slice(2)).then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
