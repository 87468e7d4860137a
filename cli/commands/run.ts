import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import cliProgress from "cli-progress";
import type { Command } from "commander";
import { config } from "../../lib/config/env";
import type { RunDto } from "../../lib/runs/run-dto";
import { serverApi } from "../client";

type Opts = {
  input: string;
  output: string;
  mode: string;
  system?: string;
  chatFormat?: string;
  maxTokens?: string;
  temperature?: string;
  seed?: string;
  name?: string;
};

const FORMAT_BY_EXT: Record<string, string> = { ".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".txt": "lines" };

/** The export endpoint answers a file, not JSON. */
async function download(pathname: string): Promise<string> {
  const cfg = config();
  const res = await fetch(new URL(pathname, cfg.DEPOT_URL), { headers: { authorization: `Bearer ${cfg.DEPOT_API_KEY ?? ""}` } });
  if (!res.ok) throw new Error(`${pathname} answered ${res.status}: ${await res.text()}`);
  return res.text();
}

/** `depot run`: a batch run through the server's queue, followed with a progress bar, results written as JSONL or CSV. */
export function register(program: Command): void {
  program
    .command("run <model>")
    .description("run a file of prompts through the server's inference queue and save the results")
    .requiredOption("-i, --input <file>", "prompts: .jsonl ({\"prompt\"} or {\"messages\"}), .csv (prompt column) or .txt (one per line)")
    .requiredOption("-o, --output <file>", "results: .jsonl or .csv")
    .option("--mode <mode>", "completion | chat", "completion")
    .option("--system <text>", "system prompt")
    .option("--chat-format <format>", "auto (the model's template, the default) | llama2 (Llama 2 [INST])")
    .option("-n, --max-tokens <n>")
    .option("-t, --temperature <t>")
    .option("--seed <s>")
    .option("--name <name>", "run name")
    .action(async (model: string, o: Opts) => {
      const format = FORMAT_BY_EXT[path.extname(o.input).toLowerCase()];
      if (!format) throw new Error(`cannot tell the format of ${o.input}: use .jsonl, .csv or .txt`);
      const params = {
        ...(o.maxTokens ? { maxTokens: Number(o.maxTokens) } : {}),
        ...(o.temperature ? { temperature: Number(o.temperature) } : {}),
        ...(o.seed ? { seed: Number(o.seed) } : {}),
      };
      const created = await serverApi<{ id: string; total: number }>("/api/runs", {
        body: { model, name: o.name, mode: o.mode, chatFormat: o.chatFormat, systemPrompt: o.system, params, upload: { format, content: await readFile(o.input, "utf8") } },
      });
      console.error(`run ${created.id}: ${created.total} prompts`);
      const bar = new cliProgress.SingleBar(
        { format: " {bar} {value}/{total} | {status} | {tps} tokens/s", stream: process.stderr, noTTYOutput: !process.stderr.isTTY, notTTYSchedule: 5000 },
        cliProgress.Presets.shades_classic,
      );
      bar.start(created.total, 0, { status: "queued", tps: "0" });
      let run: RunDto;
      try {
        for (;;) {
          run = await serverApi<RunDto>(`/api/runs/${created.id}?limit=0`);
          const finished = run.counts.completed + run.counts.failed + run.counts.cancelled;
          bar.update(finished, { status: run.status, tps: run.tokensPerSecond.toFixed(1) });
          if (run.status === "completed" || run.status === "cancelled") break;
          await new Promise((r) => setTimeout(r, 1000));
        }
      } finally {
        bar.stop();
      }
      const outFormat = path.extname(o.output).toLowerCase() === ".csv" ? "csv" : "jsonl";
      await writeFile(o.output, await download(`/api/runs/${created.id}/export?format=${outFormat}`));
      console.error(`${run.counts.completed} completed, ${run.counts.failed} failed, ${run.counts.cancelled} cancelled → ${o.output}`);
      if (run.counts.failed > 0 || run.status === "cancelled") process.exitCode = 1;
    });
}
