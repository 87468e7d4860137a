import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { freePort } from "../../lib/redis/start-redis";
import type { TestEnv } from "./test-env";

const root = path.resolve(import.meta.dirname, "../..");

export type WorkerHandle = { child: ChildProcess; output: () => string; exited: Promise<number | null> };

export type AppHandle = {
  baseUrl: string;
  /** Starts one more worker process (same env, optional overrides such as its own DATA_DIR). */
  startWorker: (env?: Record<string, string>) => WorkerHandle;
  workers: WorkerHandle[];
  stop: () => Promise<void>;
  webOutput: () => string;
};

function spawnLogged(cmd: string, args: string[], env: NodeJS.ProcessEnv): WorkerHandle {
  const child = spawn(cmd, args, { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout?.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, output: () => out, exited };
}

async function waitForHttp(url: string, web: WorkerHandle, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (web.child.exitCode !== null) throw new Error(`web server exited early:\n${web.output()}`);
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`web server did not answer ${url} within ${timeoutMs} ms:\n${web.output()}`);
}

/**
 * The product as users run it: the built Next.js server (scripts/web-server.ts over `next`, so `npm test` builds first) and
 * `workers` worker processes, all against the test file's DATA_DIR, database and Redis prefix.
 */
export async function startApp(env: TestEnv, opts: { workers?: number; extraEnv?: Record<string, string> } = {}): Promise<AppHandle> {
  const port = await freePort();
  const baseEnv: NodeJS.ProcessEnv = {
    ...process.env,
    DATA_DIR: env.dataDir,
    DATABASE_URL: env.databaseUrl,
    REDIS_URL: env.redisUrl,
    REDIS_PREFIX: env.redisPrefix,
    NEXT_TELEMETRY_DISABLED: "1",
    WORKER_LOCK_MS: "3000",
    // Test files run in parallel on 2-core CI machines; llama.cpp threads spin when oversubscribed.
    INFERENCE_THREADS: "1",
    ...opts.extraEnv,
  };
  const web = spawnLogged(process.execPath, ["--import", "tsx", path.join(root, "scripts/web-server.ts"), "127.0.0.1", String(port)], baseEnv);
  const baseUrl = `http://127.0.0.1:${port}`;
  const workers: WorkerHandle[] = [];
  const startWorker = (extra: Record<string, string> = {}) => {
    // `node --import tsx` (not the tsx CLI, which forks) so signals reach the worker process itself.
    const w = spawnLogged(process.execPath, ["--import", "tsx", path.join(root, "worker/index.ts")], { ...baseEnv, ...extra });
    workers.push(w);
    return w;
  };
  for (let i = 0; i < (opts.workers ?? 1); i++) startWorker();
  await waitForHttp(`${baseUrl}/api/health`, web, 60_000);
  const stop = async () => {
    for (const p of [web, ...workers]) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill("SIGKILL");
    await Promise.all([web, ...workers].map((p) => p.exited));
  };
  return { baseUrl, startWorker, workers, stop, webOutput: web.output };
}
