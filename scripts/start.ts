// `npm start` / `npm run web` / `npm run worker`: migrations, build if needed, embedded Redis when REDIS_URL
// is unset, then the web server and/or a worker as supervised child processes.
import { spawn, type ChildProcess } from "node:child_process";
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

async function main() {
  const role = parseRole(process.argv.slice(2));
  const cfg = config();
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
  const startChild = (label: string, cmd: string, args: string[]) => {
    const child = spawn(cmd, args, { cwd: root, stdio: "inherit", env: process.env });
    children.set(label, child);
    child.on("exit", (code, signal) => {
      children.delete(label);
      if (stopping) return;
      console.error(`[depot] ${label} exited (${signal ?? code}); restarting in 1 s`);
      setTimeout(() => !stopping && startChild(label, cmd, args), 1000);
    });
  };
  if (role !== "worker") startChild("web", process.execPath, ["--import", "tsx", path.join(root, "scripts/web-server.ts"), cfg.HOST, String(cfg.PORT)]);
  if (role !== "web") startChild("worker", process.execPath, ["--import", "tsx", path.join(root, "worker/index.ts")]);
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

main().catch((err: unknown) => {
  if (err instanceof ConfigError || err instanceof RedisNotInstalledError) console.error(`[depot] ${err.message}`);
  else console.error("[depot] failed to start:", err);
  process.exit(1);
});
