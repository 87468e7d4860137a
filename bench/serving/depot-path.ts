// (a) our full request path under the load generator: each request is handed to /v1/completions' own route handler
// (app/v1/completions/route.ts: API-key auth, the request parsed, findModel, submitInteractive's admission and enqueue
// on the model's interactive lane, the audit row, the SSE response), a real Redis and BullMQ carry it to a worker
// process started as `npm start` starts one (worker/main.ts's startWorker: model lanes, runJob's Job-row updates,
// executeRequest → generateOnModel → BatchDecoder), and the tokens come back over the request's Redis channel. Only
// Next.js's HTTP server is left out. The database is SQLite, as `npm start`'s embedded mode runs it: a user, an API key
// and one model row whose folder links to the bench's GGUF, as an upload would leave it.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdir, stat, symlink } from "node:fs/promises";
import path from "node:path";
import { POST } from "../../app/v1/completions/route";
import { createApiKey } from "../../lib/auth/api-keys";
import { closeDb, db } from "../../lib/db/prisma";
import type { ModelResidency } from "../../lib/inference/residency";
import { closeQueues } from "../../lib/queue/queues";
import { closeWebRedis } from "../../lib/redis/connection";
import { storeIdOf } from "../../lib/stores/store-id";
import { createUser } from "../../lib/users/create-user";
import { startWorker } from "../../worker/main";
import { openaiTarget, type Target } from "./targets";

const MODEL_NAME = "bench";
export const WARM_UP = { prompt: "warm up", maxTokens: 2, arrivalMs: 0 };

/**
 * The settings the web side needs beyond DATA_DIR, DATABASE_URL and REDIS_URL: admission limits above any batch the
 * bench sends at once (the bench measures serving, not the 429), and the worker's BullMQ concurrency = its sequences.
 */
export const depotEnv = (sequences: number) => ({ INFERENCE_MAX_QUEUE: "100000", INFERENCE_USER_MAX_INTERACTIVE: "100000", INFERENCE_SEQUENCES: String(sequences) });

/** The rows a fresh install holds once a member has an API key and a GGUF model is uploaded. */
async function seed(dataDir: string, modelPath: string): Promise<string> {
  const user = await createUser({ email: "bench@example.com", name: "bench", password: "quartz-ember-tide-42", role: "member" });
  const { key } = await createApiKey({ userId: user.id, name: "bench" });
  const directory = path.join("gguf", MODEL_NAME);
  const m = await db().model.create({ data: { name: MODEL_NAME, source: "local", format: "gguf", status: "ready", directory } });
  await mkdir(path.join(dataDir, directory), { recursive: true });
  await symlink(path.resolve(modelPath), path.join(dataDir, directory, `${MODEL_NAME}.gguf`));
  await db().modelReplica.create({ data: { modelId: m.id, storeId: await storeIdOf(dataDir), bytes: (await stat(modelPath)).size } });
  return key;
}

/**
 * (a): seeds the database, starts the worker (`workerCommand`, which must end up in runDepotWorker with the same
 * DATA_DIR, DATABASE_URL, REDIS_URL and engine settings), and loads the model with one request before measuring.
 */
export async function depotTarget(params: { dataDir: string; modelPath: string; workerCommand: string[]; workerEnv?: Record<string, string>; name?: string }): Promise<Target & { workerOutput: () => string }> {
  const key = await seed(params.dataDir, params.modelPath);
  const [cmd, ...args] = params.workerCommand as [string, ...string[]];
  const worker: ChildProcess = spawn(cmd, args, { env: { ...process.env, ...params.workerEnv }, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  worker.stdout?.on("data", (d: Buffer) => (output += d.toString()));
  worker.stderr?.on("data", (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
  const stopWorker = async () => {
    if (worker.exitCode === null && worker.signalCode === null) worker.kill("SIGTERM");
    await exited;
  };
  const target = openaiTarget({
    baseUrl: "http://depot.bench",
    model: MODEL_NAME,
    apiKey: key,
    name: params.name ?? "depot /v1",
    fetch: (url, init) => POST(new Request(url, init)),
  });
  try {
    // Fails (instead of waiting forever) if the worker died before taking the job. 2 tokens: BatchDecoder rejects a
    // maxTokens of 1 as "sequence is full" (a /v1 max_tokens 1 fails the same way).
    await Promise.race([target.send(WARM_UP), exited.then(() => Promise.reject(new Error(`the worker exited:\n${output}`)))]);
  } catch (err) {
    await stopWorker();
    throw err;
  }
  return {
    ...target,
    workerOutput: () => output,
    close: async () => {
      await stopWorker();
      await closeQueues();
      closeWebRedis();
      await closeDb();
    },
  };
}

/**
 * The worker process of (a): worker/main.ts's startWorker, with this process's engine set to `residency` (the bench's
 * settings instead of INFERENCE_*, as (b) has them) and end-of-sequence ignored, so every request generates exactly
 * its max_tokens, as (b) and llama-server with ignore_eos do. That is the one change to the production path: the
 * leased sequence's sampling gets yieldEog, which /v1 does not expose.
 */
export async function runDepotWorker(residency: ModelResidency): Promise<void> {
  const acquire = residency.acquire.bind(residency);
  residency.acquire = async (p) => {
    const lease = await acquire(p);
    const { id, contextSize, generate } = lease.sequence;
    return { ...lease, sequence: { id, contextSize, generate: (prompt, sampling) => generate(prompt, { ...sampling, yieldEog: true }) } };
  };
  // lib/inference/engine.ts's per-process engine: set before the first job asks for it.
  (globalThis as unknown as { depotResidency?: Promise<ModelResidency> }).depotResidency = Promise.resolve(residency);
  const started = startWorker();
  for (const sig of ["SIGINT", "SIGTERM"] as const) {
    process.once(sig, () => {
      void started
        .then(({ stop }) => stop())
        .then(() => residency.dispose())
        .then(
          () => process.exit(0),
          () => process.exit(1),
        );
    });
  }
  await started;
}
