import path from "node:path";
import type { EngineResult } from "./engine-bench";

/** One line of `llama-batched-bench --output-format jsonl`. */
export type LlamaCppRow = { pl: number; pp: number; tg: number; speed_pp: number; speed_tg: number; n_batch: number; n_ubatch: number; flash_attn: number };

/** Datasheet memory bandwidth (bytes/s) by the name nvidia-smi prints; the bound is model bytes ÷ this. */
export function cardBandwidth(name: string): number | null {
  if (/H200/i.test(name)) return 4.8e12;
  if (/H100.*PCIe/i.test(name)) return 2.0e12;
  if (/H100.*NVL/i.test(name)) return 3.9e12;
  if (/H100/i.test(name)) return 3.35e12;
  return null;
}

const f = (x: number | undefined, d = 1) => (x === undefined || !Number.isFinite(x) ? "–" : x.toFixed(d));

export function renderReport(params: {
  env: Record<string, string>;
  runs: Array<{ ours: EngineResult; llamaCpp: LlamaCppRow[]; modelBytes: number }>;
  npp: number;
  ntg: number;
}): string {
  const { env, runs, npp, ntg } = params;
  const card = env.card ?? "unknown card";
  const bw = cardBandwidth(card);
  const lines: string[] = [
    `card: ${card} · driver ${env.driver ?? "?"} · CUDA ${env.cuda ?? "?"} · node-llama-cpp ${env.nodeLlamaCpp ?? "?"} · llama.cpp ${env.llamaCpp ?? "?"}`,
    "",
    `Prompt ${npp} tokens; decode: ours ≥ ${ntg} tokens per sequence inside the all-decoding window, llama-batched-bench -ntg ${ntg}.`,
    "",
  ];
  // One row per model and engine variant: the decode ratios side by side.
  const parallels = [...new Set(runs.flatMap((r) => r.ours.tg.map((t) => t.parallel)))].sort((a, b) => a - b);
  const worstByVariant = new Map<string, number>();
  lines.push(
    `| model | engine variant | prompt | ${parallels.map((b) => `B=${b}`).join(" | ")} |`,
    `|---|---|---:|${parallels.map(() => "---:").join("|")}|`,
  );
  for (const { ours, llamaCpp } of runs) {
    const lc = (b: number) => llamaCpp.findLast((r) => r.pl === b);
    const cells = parallels.map((b) => {
      const t = ours.tg.find((x) => x.parallel === b);
      const ref = lc(b);
      if (!t || !ref) return "–";
      const r = t.tokensPerSecond / ref.speed_tg;
      worstByVariant.set(ours.variant ?? "default", Math.min(worstByVariant.get(ours.variant ?? "default") ?? Infinity, r));
      return r.toFixed(2);
    });
    const pp = lc(1) ? (ours.pp / lc(1)!.speed_pp).toFixed(2) : "–";
    lines.push(`| ${path.basename(ours.model)} | ${ours.variant ?? "default"} | ${pp} | ${cells.join(" | ")} |`);
  }
  lines.push("", ...[...worstByVariant].map(([v, w]) => `Worst decode ratio, ${v}: ${w.toFixed(2)} (${w >= 0.9 ? "meets" : "misses"} the ≥ 0.9 target).`), "");
  lines.push(...sameTokens(runs.map((r) => r.ours)), "");

  for (const { ours, llamaCpp, modelBytes } of runs) {
    const name = `${path.basename(ours.model)}${ours.variant && ours.variant !== "default" ? `, engine variant ${ours.variant}` : ""}`;
    const lc = (b: number) => llamaCpp.findLast((r) => r.pl === b);
    const lc1 = lc(1);
    lines.push(
      `### ${name} (${(modelBytes / 1e9).toFixed(2)} GB; ours: ${ours.backend}, ${ours.gpuLayers} layers offloaded, flash attention ${String(ours.flashAttention)}, batch ${ours.batchSize}, batch sampling ${ours.batchSampling === undefined ? "n/a (before BatchDecoder)" : ours.batchSampling ? "on" : "off"}, ${ours.sequences} sequences × ${ours.contextPerSequence} tokens; llama.cpp: batch ${lc1?.n_batch ?? "?"}, ubatch ${lc1?.n_ubatch ?? "?"}, flash_attn ${lc1?.flash_attn ?? "?"})`,
      "",
      "| measure | ours t/s | llama.cpp t/s | ours / llama.cpp | ours per step: decode / sample / idle ms | llama.cpp ms per step |",
      "|---|---:|---:|---:|---:|---:|",
    );
    const ppRatio = lc1 ? ours.pp / lc1.speed_pp : NaN;
    lines.push(`| prompt processing, ${npp} tokens | ${f(ours.pp)} | ${f(lc1?.speed_pp)} | ${f(ppRatio, 2)} | | |`);
    for (const t of ours.tg) {
      const ref = lc(t.parallel);
      const ratio = ref ? t.tokensPerSecond / ref.speed_tg : NaN;
      const p = t.perStepMs;
      const split = p ? `${f(p.decode, 2)} / ${f(p.sample, 2)} / ${f(p.idle ?? p.host, 2)}${p.idle === undefined ? " (host)" : ""}` : "–";
      lines.push(`| decode, ${t.parallel} parallel (aggregate) | ${f(t.tokensPerSecond)} | ${f(ref?.speed_tg)} | ${f(ratio, 2)} | ${split} | ${ref ? f((1000 * t.parallel) / ref.speed_tg, 2) : "–"} |`);
    }
    const single = ours.tg.find((t) => t.parallel === 1)?.tokensPerSecond;
    if (bw && single) {
      const bound = bw / modelBytes;
      const lcSingle = lc1?.speed_tg;
      lines.push(
        "",
        `Bandwidth bound for one sequence: ${(bw / 1e12).toFixed(2)} TB/s ÷ ${(modelBytes / 1e9).toFixed(2)} GB = ${f(bound)} t/s; ` +
          `ours ${f(single)} t/s = ${f((100 * single) / bound)}% of it` +
          (lcSingle ? `, llama.cpp ${f(lcSingle)} t/s = ${f((100 * lcSingle) / bound)}%.` : "."),
      );
    }
    lines.push("");
  }
  return lines.join("\n") + "\n";
}

/** Per model: whether the engine variants generated the same greedy tokens at each parallelism (hashes in the results). */
function sameTokens(results: EngineResult[]): string[] {
  const byModel = new Map<string, EngineResult[]>();
  for (const r of results) byModel.set(path.basename(r.model), [...(byModel.get(path.basename(r.model)) ?? []), r]);
  return [...byModel].flatMap(([model, rs]) => {
    const hashed = rs.filter((r) => r.tg.some((t) => t.tokensSha256));
    if (hashed.length < 2) return [];
    const cells = hashed[0]!.tg.map((t) => {
      const hashes = new Set(hashed.map((r) => r.tg.find((x) => x.parallel === t.parallel)?.tokensSha256));
      return `B=${t.parallel} ${hashes.size === 1 ? "same" : "DIFFERENT"}`;
    });
    return [`Greedy tokens of ${hashed.map((r) => r.variant ?? "default").join(", ")} on ${model}: ${cells.join(", ")}.`];
  });
}
