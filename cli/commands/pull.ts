import cliProgress from "cli-progress";
import type { Command } from "commander";
import { formatBytes as fmtBytes } from "../../lib/download";
import type { JobDto } from "../../lib/jobs/job-dto";
import { serverApi } from "../client";

/**
 * Follows a job until it ends, with one progress bar per file (or one for the whole job when it reports no files).
 * Resolves with the finished job; throws its error when it failed or was cancelled.
 */
export async function followJob(jobId: string, opts: { intervalMs?: number } = {}): Promise<JobDto> {
  const tty = process.stderr.isTTY;
  const bars = new cliProgress.MultiBar(
    { format: " {bar} {percentage}% | {name} | {info}", hideCursor: true, clearOnComplete: false, noTTYOutput: !tty, notTTYSchedule: 5000, stream: process.stderr },
    cliProgress.Presets.shades_classic,
  );
  const byName = new Map<string, cliProgress.SingleBar>();
  const bar = (name: string, total: number) => {
    let b = byName.get(name);
    if (!b) byName.set(name, (b = bars.create(Math.max(1, total), 0, { name, info: "" })));
    return b;
  };
  try {
    for (;;) {
      const { job } = await serverApi<{ job: JobDto }>(`/api/jobs/${jobId}`);
      const d = job.detail;
      if (d?.files?.length) {
        for (const f of d.files) {
          const info = `${fmtBytes(f.bytesDone)}/${fmtBytes(f.bytesTotal)}${f.speedBps ? ` ${fmtBytes(f.speedBps)}/s` : ""}${f.etaSeconds != null ? ` ETA ${Math.round(f.etaSeconds)}s` : ""}`;
          const b = bar(f.path, f.bytesTotal);
          b.setTotal(Math.max(1, f.bytesTotal));
          b.update(f.bytesDone, { info });
        }
      } else {
        bar(job.kind, 100).update(job.status === "completed" ? 100 : job.progress, { info: `${job.status}${d?.message ? ` ${d.message}` : ""}` });
      }
      if (job.status === "completed") return job;
      if (job.status === "failed" || job.status === "cancelled") throw new Error(`job ${jobId} ${job.status}: ${job.error ?? "no reason given"}`);
      await new Promise((r) => setTimeout(r, opts.intervalMs ?? 500));
    }
  } finally {
    bars.stop();
  }
}

const WORKER_HELP = "the model store id of the worker to download to (shown by `depot status`; default: any worker)";

const list = (v: string, prev: string[] = []) => [...prev, ...v.split(",").map((s) => s.trim()).filter(Boolean)];

/** `depot pull meta|hf`: enqueue a download on the server and follow it to the end. */
export function register(program: Command): void {
  const pull = program.command("pull").description("download a model through the server at DEPOT_URL and follow the job");
  pull
    .command("meta [family]")
    .description("Llama weights from Meta's signed download link (from the email); family: llama-2, llama-3.1, llama-3.2, llama-3.3 (default: the link's, else llama-2)")
    .requiredOption("--url <signed>", "the signed URL (quote it: it contains * and &)")
    .requiredOption("--models <ids>", "comma-separated catalog ids, e.g. 7B,7B-chat (Llama 2) or Llama3.1-8B-Instruct", list)
    .option("--worker <store>", WORKER_HELP)
    .option("--no-follow", "enqueue and exit")
    .action(async (family: string | undefined, opts: { url: string; models: string[]; worker?: string; follow: boolean }) => {
      const r = await serverApi<{ jobId: string; expiresAt: string; resumed: boolean }>("/api/downloads/meta", {
        body: { url: opts.url, family, models: opts.models, storeId: opts.worker },
      });
      console.error(`${r.resumed ? "resumed" : "started"} job ${r.jobId}; link valid until ${new Date(r.expiresAt).toLocaleString()}`);
      if (opts.follow) await followJob(r.jobId);
      console.error("done");
    });
  pull
    .command("hf <repo>")
    .description(
      "a Hugging Face repo (org/name), or one GGUF of it by quant tag (org/name:Q4_K_M, any case; or --include FILE.gguf; " +
        "a glob that matches only GGUFs, e.g. --include '*Q8_0*', pulls each as its own model); " +
        "a gated repo needs HF_TOKEN in the environment or --credential",
    )
    .option("--revision <rev>", "branch, tag or commit", "main")
    .option("--include <glob>", "only files matching (repeatable or comma-separated)", list)
    .option("--exclude <glob>", "skip files matching (repeatable or comma-separated)", list)
    .option("--credential <id>", "a stored Hugging Face token credential")
    .option("--worker <store>", WORKER_HELP)
    .option("--no-follow", "enqueue and exit")
    .action(async (ref: string, opts: { revision: string; include?: string[]; exclude?: string[]; credential?: string; worker?: string; follow: boolean }) => {
      const [repo, quant] = ref.split(":", 2) as [string, string | undefined];
      // The token is read from the environment, never from argv (shell history, ps).
      const token = process.env.HF_TOKEN || undefined;
      const r = await serverApi<{ jobId: string; jobs?: { jobId: string; name: string }[] }>("/api/downloads/hf", {
        body: { repo, quant, revision: opts.revision, include: opts.include ?? [], exclude: opts.exclude ?? [], credentialId: opts.credential, token, storeId: opts.worker },
      });
      // A glob that matched several GGUFs started one job per model.
      const jobs = r.jobs ?? [{ jobId: r.jobId, name: repo }];
      for (const j of jobs) console.error(`started job ${j.jobId}${r.jobs ? ` (${j.name})` : ""}`);
      if (opts.follow) for (const j of jobs) await followJob(j.jobId);
      console.error("done");
    });
}
