/**
 * The picture of lib/: every folder in one layer, lowest first. A file may import any folder of a lower layer,
 * and of its own layer only the folders listed beside it; nothing in lib/ imports app/, worker/, cli/ or test/.
 * lib/layers.spec.ts reads every import and holds the code to this table; README's architecture section shows it.
 * "." is the files directly in lib/ (errors.ts, csv.ts, this table).
 */
export const LAYERS: readonly { layer: string; folders: Readonly<Record<string, readonly string[]>> }[] = [
  {
    layer: "base",
    folders: { ".": [], config: [], log: ["config"], db: ["config"], crypto: ["config"], redis: ["config"] },
  },
  {
    layer: "formats",
    folders: { gguf: [], download: [], verify: ["download"], convert: ["gguf", "download"], sources: ["download", "verify"], generation: [] },
  },
  {
    layer: "engine",
    folders: { inference: [] },
  },
  {
    layer: "state",
    folders: {
      queue: [],
      workers: [],
      stores: ["queue", "workers"],
      auth: [],
      audit: ["auth"],
      access: ["auth", "audit"],
      credentials: ["access"],
      users: ["auth"],
    },
  },
  {
    layer: "http",
    folders: { http: [] },
  },
  {
    layer: "features",
    folders: {
      jobs: [],
      models: ["jobs"],
      uploads: ["models"],
      runs: ["jobs", "models"],
      metrics: [],
      overview: ["metrics"],
    },
  },
  {
    layer: "serving",
    folders: { interactive: [], openai: ["interactive"], playground: ["interactive"] },
  },
];
