// `npm start` / `npm run web` / `npm run worker`: migrations, build if needed, embedded Redis when REDIS_URL
// is unset, then the web server and/or a worker (or one per GPU: WORKER_PER_GPU) as supervised child processes.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { config, ConfigError } from "../lib/config/env";
import { RedisNotInstalledError, startRedis, type EmbeddedRedis } from "../lib/redis/start-redis";
import { buildIfNeeded } from "./build";
import { deploy } from "./db";

const root = path.resolve(import.meta.dirname, "..");

type Role = "all" | "web" | "worker";

function parseRole(argv: string[]): Role {
  const i = argv.indexOf("--role");
  const role = i >= 0 ? argv[i + 1] : "all";
  if (role !== "all" && role !== "web" && role !== "worker") throw new ConfigError(`unknown --role ${role}`);
  return role;
}

/** The worker processes to run: their labels and what each adds to the environment. */
export type WorkerProcess = { label: string; env: Record<string, string> };

/**
 * `--gpus 0,1` (else WORKER_GPUS): the host's GPUs the workers use, through CUDA_VISIBLE_DEVICES; `--worker-per-gpu`
 * (else WORKER_PER_GPU=true): one worker per GPU, each seeing only its own, with its own name and lane consumers;
 * otherwise one worker with them all (a model too large for one GPU is split across them). `hostGpus`: the GPUs
 * nvidia-smi lists, asked only when one worker per GPU is wanted and none are named.
 */
export function workerProcesses(p: { argv: string[]; env: { WORKER_GPUS: string; WORKER_PER_GPU: string; WORKER_NAME?: string; CUDA_DEVICE_ORDER?: string }; hostGpus: () => number }): WorkerProcess[] {
  const i = p.argv.indexOf("--gpus");
  const spec = i >= 0 ? (p.argv[i + 1] ?? "") : p.env.WORKER_GPUS;
  if (!/^(\d+(,\d+)*)?$/.test(spec)) throw new ConfigError(`--gpus/WORKER_GPUS "${spec}": expected GPU indexes as nvidia-smi numbers them, e.g. 0,1`);
  const listed = spec === "" ? null : spec.split(",");
  // CUDA numbers GPUs fastest first unless told otherwise; nvidia-smi, by PCI bus.
  const visible = (gpus: string) => ({ CUDA_VISIBLE_DEVICES: gpus, CUDA_DEVICE_ORDER: p.env.CUDA_DEVICE_ORDER ?? "PCI_BUS_ID" });
  if (!(p.argv.includes("--worker-per-gpu") || p.env.WORKER_PER_GPU === "true")) return [{ label: "worker", env: listed ? visible(listed.join(",")) : {} }];
  const gpus = listed ?? Array.from({ length: p.hostGpus() }, (_, g) => String(g));
  if (gpus.length === 0) throw new ConfigError("one worker per GPU was asked for, but nvidia-smi lists no GPU: name them with --gpus or WORKER_GPUS");
  return gpus.map((g) => ({
    label: `worker-gpu${g}`,
    env: { ...visible(g), ...(p.env.WORKER_NAME ? { WORKER_NAME: `${p.env.WORKER_NAME}-gpu${g}` } : {}) },
  }));
}

/** How many GPUs `nvidia-smi -L` lists (0 without a driver). */
function nvidiaGpuCount(): number {
  try {
    return execFileSync("nvidia-smi", ["-L"], { encoding: "utf8", timeout: 10_000 }).split("\n").filter((l) => l.startsWith("GPU ")).length;
  } catch {
    return 0;
  }
}

async function main() {
  const argv = process.argv.slice(2);
  const role = parseRole(argv);
  const cfg = config();
  const workers = role === "web" ? [] : workerProcesses({ argv, env: { ...cfg, CUDA_DEVICE_ORDER: process.env.CUDA_DEVICE_ORDER }, hostGpus: nvidiaGpuCount });
  process.env.DATA_DIR = cfg.dataDir;
  process.env.DATABASE_URL = cfg.databaseUrl;
  process.env.NEXT_TELEMETRY_DISABLED = "1";

  let redis: EmbeddedRedis | undefined;
  if (!cfg.REDIS_URL) {
    if (role !== "all") {
      throw new ConfigError(`REDIS_URL must be set for --role ${role}: web and worker processes on several hosts share one Redis`);
    }
    redis = await startRedis({ dir: path.join(cfg.dataDir, "redis"), port: cfg.REDIS_PORT });
    process.env.REDIS_URL = redis.url;
    console.log(`[depot] embedded Redis on ${redis.url} (data in ${path.join(cfg.dataDir, "redis")})`);
  }

  deploy(cfg.databaseUrl);
  console.log(`[depot] database ready (${cfg.dbProvider})`);
  if (role !== "worker") await buildIfNeeded();

  const children = new Map<string, ChildProcess>();
  let stopping = false;
  const startChild = (label: string, cmd: string, args: string[], env: Record<string, string> = {}) => {
    const child = spawn(cmd, args, { cwd: root, stdio: "inherit", env: { ...process.env, ...env } });
    children.set(label, child);
    child.on("exit", (code, signal) => {
      children.delete(label);
      if (stopping) return;
      console.error(`[depot] ${label} exited (${signal ?? code}); restarting in 1 s`);
      setTimeout(() => !stopping && startChild(label, cmd, args, env), 1000);
    });
  };
  if (role !== "worker") startChild("web", process.execPath, ["--import", "tsx", path.join(root, "scripts/web-server.ts"), cfg.HOST, String(cfg.PORT)]);
  for (const w of workers) {
    if (w.env.CUDA_VISIBLE_DEVICES !== undefined) console.log(`[depot] ${w.label}: CUDA_VISIBLE_DEVICES=${w.env.CUDA_VISIBLE_DEVICES}`);
    startChild(w.label, process.execPath, ["--import", "tsx", path.join(root, "worker/index.ts")], w.env);
  }
  if (role !== "worker") console.log(`[depot] llama-depot on http://${cfg.HOST}:${cfg.PORT}`);

  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    await Promise.all(
      [...children.values()].map(
        (c) =>
          new Promise<void>((resolve) => {
            c.once("exit", () => resolve());
            c.kill("SIGTERM");
          }),
      ),
    );
    await redis?.stop();
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown());
  process.on("SIGTERM", () => void shutdown());
}

if (import.meta.filename === path.resolve(process.argv[1] ?? "")) main().catch((err: unknown) => {
  if (err instanceof ConfigError || err instanceof RedisNotInstalledError) console.error(`[depot] ${err.message}`);
  else console.error("[depot] failed to start:", err);
  process.exit(1);
});
