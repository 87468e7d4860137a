import path from "node:path";
import { z } from "zod";

/**
 * Every environment variable llama-depot reads, validated in one place.
 * The README's configuration table mirrors the `describe` texts below.
 */
export const envSchema = z.object({
  DATA_DIR: z.string().default("./data").describe("Where models, the SQLite file, the embedded Redis and the secret key live"),
  DATABASE_URL: z
    .string()
    .optional()
    .describe("postgres://… selects PostgreSQL; file:… a SQLite file. Default: file:<DATA_DIR>/depot.db"),
  REDIS_URL: z.string().optional().describe("redis://host:port of a shared Redis. Unset: a private redis-server child is started"),
  REDIS_PREFIX: z
    .string()
    .regex(/^[\w-]+$/)
    .default("depot")
    .describe("Prefix of every Redis key (queues, rate limits, channels), so deployments can share one Redis"),
  REDIS_PORT: z.coerce.number().int().min(0).max(65535).default(0).describe("Port of the embedded Redis (0 = a free port)"),
  HOST: z.string().default("127.0.0.1").describe("Address the web server binds to"),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000).describe("Port of the web server"),
  DEPOT_SECRET_KEY: z
    .string()
    .regex(/^[A-Za-z0-9+/]{43}=$/, "must be 32 bytes, base64")
    .optional()
    .describe("Key that encrypts secrets at rest (32 bytes, base64). Unset: generated into <DATA_DIR>/secret.key"),
  SESSION_TTL_HOURS: z.coerce.number().positive().default(168).describe("Lifetime of a login session"),
  SECURE_COOKIES: z
    .enum(["auto", "true", "false"])
    .default("auto")
    .describe("Mark cookies Secure (auto: when the request came over https)"),
  EGRESS_ALLOW: z
    .string()
    .optional()
    .describe("Extra hosts downloads may reach, comma-separated globs with an optional :port (*.mirror.example, 10.0.0.5:8080); also lifts the internal-address refusal for them"),
  IMPORT_DIRS: z
    .string()
    .optional()
    .describe("Folders on the worker's disk admins may import GGUFs from (comma-separated absolute paths; none by default)"),
  HF_ENDPOINT: z.string().url().default("https://huggingface.co").describe("Hugging Face Hub base URL"),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).default(4).describe("Jobs one worker runs at once per queue"),
  WORKER_LOCK_MS: z.coerce
    .number()
    .int()
    .min(1000)
    .default(30_000)
    .describe("BullMQ lock duration: how soon a killed worker's job is recovered"),
  WORKER_MAX_STALLS: z.coerce.number().int().min(1).default(10).describe("How often a job may be recovered from a dead worker"),
  WORKER_NAME: z.string().optional().describe("Name this worker reports in heartbeats (default: hostname-pid)"),
  JOB_ATTEMPTS: z.coerce.number().int().min(1).default(3).describe("Attempts per job before it fails (exponential backoff)"),
  INFERENCE_SEQUENCES: z.coerce
    .number()
    .int()
    .min(0)
    .max(128)
    .default(0)
    .describe("Parallel sequences per resident model (requests decoded in one batch); also the inference jobs a worker holds. 0: as many as free VRAM holds for the KV cache at INFERENCE_CONTEXT_SIZE, at most 32 on a GPU (64 decoded slower on an H200) and 4 on a CPU"),
  INFERENCE_MODEL_SEQUENCES: z
    .string()
    .regex(/^([^=,]+=\d+)?(,[^=,]+=\d+)*$/, "expected name=N,name=N")
    .default("")
    .describe("Per-model overrides of INFERENCE_SEQUENCES, e.g. llama-2-7b-chat=8,tiny=2 (model name or .gguf file name)"),
  INFERENCE_CONTEXT_SIZE: z.coerce.number().int().min(64).default(2048).describe("Tokens per sequence (prompt + output), capped at the model's training context"),
  INFERENCE_MEMORY_MB: z.coerce
    .number()
    .int()
    .min(0)
    .default(0)
    .describe("RAM/VRAM budget for resident models; least recently used idle models are unloaded beyond it (0: 90% of VRAM, or half the RAM on CPU)"),
  INFERENCE_THREADS: z.coerce.number().int().min(0).default(0).describe("CPU threads per model context (0: node-llama-cpp's default)"),
  INFERENCE_SPLIT_MODE: z
    .enum(["layer", "row", "none"])
    .default("layer")
    .describe("How a worker with several GPUs places a model: layer (its layers split across the GPUs, llama.cpp's default), row (each tensor split by rows), none (each model whole on one GPU, the one with the most room). row and none need a source build of llama.cpp"),
  INFERENCE_TENSOR_SPLIT: z
    .string()
    .regex(/^(\d+(\.\d+)?(,\d+(\.\d+)?)*)?$/, "expected proportions, e.g. 3,1")
    .default("")
    .describe("Share of a split model per GPU, in the worker's device order, e.g. 3,1 (empty: proportional to each GPU's free VRAM, llama.cpp's default). Needs a source build of llama.cpp"),
  WORKER_GPUS: z
    .string()
    .regex(/^(\d+(,\d+)*)?$/, "expected GPU indexes, e.g. 0,1")
    .default("")
    .describe("GPUs of this host the worker that npm start runs uses, as nvidia-smi numbers them (sets CUDA_VISIBLE_DEVICES; empty: every GPU it sees). Overridden by --gpus 0,1"),
  WORKER_PER_GPU: z
    .enum(["true", "false"])
    .default("false")
    .describe("npm start runs one worker per GPU (of WORKER_GPUS, else every GPU nvidia-smi lists), each seeing only its own GPU, instead of one worker using them all. Also --worker-per-gpu"),
  INFERENCE_MAX_QUEUE: z.coerce
    .number()
    .int()
    .min(1)
    .default(32)
    .describe("Interactive requests (API, playground) waiting or running at once; more are answered 429 with Retry-After"),
  METRICS_TOKEN: z.string().min(16).optional().describe("Bearer token Prometheus sends to /metrics (admins may also scrape with their key)"),
  DISK_WARN_FREE_PERCENT: z.coerce
    .number()
    .min(0)
    .max(100)
    .default(10)
    .describe("The Overview warns when a DATA_DIR disk (web or any worker) has less free space than this"),
  INFERENCE_USER_MAX_ITEMS: z.coerce
    .number()
    .int()
    .min(1)
    .default(5000)
    .describe("Batch items one user may have queued or running at once; a run beyond it is refused (429)"),
  INFERENCE_USER_MAX_INTERACTIVE: z.coerce
    .number()
    .int()
    .min(1)
    .default(4)
    .describe("Interactive requests (API, playground) one user may have in flight; more are answered 429 with Retry-After"),
  UPLOAD_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1)
    .default(128 * 1024 ** 3)
    .describe("Largest GGUF, or checkpoint folder in total, a browser upload may send (bytes); a larger one is refused before any byte is stored"),
  UPLOAD_EXPIRE_HOURS: z.coerce
    .number()
    .positive()
    .default(24)
    .describe("An unfinished upload no chunk reached for this long is deleted by the garbage collection"),
  TRUSTED_PROXIES: z
    .string()
    .default("")
    .describe("Reverse proxies (IPs or CIDRs, comma-separated) whose X-Forwarded-For/-Host/-Proto are believed; none by default"),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).default("info").describe("Log verbosity"),
  DEPOT_URL: z.string().url().default("http://127.0.0.1:3000").describe("Server the CLI talks to"),
  DEPOT_API_KEY: z.string().optional().describe("API key the CLI sends as Bearer token"),
});

export type Env = z.infer<typeof envSchema>;

export type Config = Env & { dataDir: string; databaseUrl: string; dbProvider: "sqlite" | "postgresql" };

let cached: Config | undefined;

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

export function parseConfig(env: Record<string, string | undefined>): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join("\n")}`);
  }
  const e = parsed.data;
  const dataDir = path.resolve(e.DATA_DIR);
  const databaseUrl = e.DATABASE_URL ?? `file:${path.join(dataDir, "depot.db")}`;
  const dbProvider = /^postgres(ql)?:\/\//.test(databaseUrl) ? "postgresql" : "sqlite";
  if (dbProvider === "sqlite" && !databaseUrl.startsWith("file:")) {
    throw new ConfigError("invalid configuration:\n  DATABASE_URL: must start with postgres://, postgresql:// or file:");
  }
  return { ...e, dataDir, databaseUrl, dbProvider };
}

/** The process-wide configuration, parsed on first use. */
export function config(): Config {
  cached ??= parseConfig(process.env);
  return cached;
}
