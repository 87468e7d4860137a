// Entry point run on the GPU machine by device-run.sh (bundled to one ESM file by pack.sh):
//   make-gguf <q4_0|f16> <out.gguf> <tokenizerDir>
//   engine <model.gguf> <out.json>                      our engine's numbers
//   report <results.md> <engine.json>:<llama.jsonl>...  tables, ratios and the bandwidth fraction
import { readFile, stat, writeFile } from "node:fs/promises";
import { OUTPUT_TYPES, type OutputType } from "../../lib/convert/quants";
import { engineBench, type EngineResult } from "./engine-bench";
import { LLAMA2_7B, makeGguf } from "./make-gguf";
import { renderReport, type LlamaCppRow } from "./report";

const PARALLEL = (process.env.PAR ?? "1 4 8 16 32").split(/[ ,]+/).map(Number);
const NPP = 512;
const NTG = 128;
const log = (s: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${s}`);

async function main(argv: string[]): Promise<void> {
  const [cmd, ...args] = argv;
  if (cmd === "make-gguf") {
    const [type, out, tokenizerDir] = args as [string, string, string];
    if (!OUTPUT_TYPES.includes(type as OutputType)) throw new Error(`type must be one of ${OUTPUT_TYPES.join(", ")}`);
    const t = performance.now();
    // SHAPE=tiny: a small model of the same layout, for rehearsing the pipeline on a CPU.
    const shape = process.env.SHAPE === "tiny" ? { ...LLAMA2_7B, dim: 256, layers: 2, heads: 4, ffn: 704 } : LLAMA2_7B;
    const r = await makeGguf({ outFile: out, type: type as OutputType, tokenizerDir, shape });
    log(`wrote ${out}: ${(r.bytes / 1e9).toFixed(2)} GB, ${(r.parameterCount / 1e9).toFixed(2)} B parameters in ${((performance.now() - t) / 1000).toFixed(0)} s`);
  } else if (cmd === "engine") {
    const [model, out] = args as [string, string];
    const r = await engineBench({ modelPath: model, parallel: PARALLEL, promptTokens: NPP, decodeTokens: NTG, log });
    await writeFile(out, JSON.stringify(r, null, 2));
  } else if (cmd === "report") {
    const [out, ...pairs] = args as [string, ...string[]];
    const env = JSON.parse(process.env.BENCH_ENV ?? "{}") as Record<string, string>;
    const runs = await Promise.all(
      pairs.map(async (p) => {
        const [engineFile, llamaFile] = p.split(":") as [string, string];
        const ours = JSON.parse(await readFile(engineFile, "utf8")) as EngineResult;
        const llamaCpp = (await readFile(llamaFile, "utf8"))
          .split("\n")
          .filter((l) => l.startsWith("{"))
          .map((l) => JSON.parse(l) as LlamaCppRow);
        return { ours, llamaCpp, modelBytes: (await stat(ours.model)).size };
      }),
    );
    const md = renderReport({ env, runs, npp: NPP, ntg: NTG });
    await writeFile(out, md);
    console.log(md);
  } else {
    throw new Error(`unknown command ${cmd ?? "(none)"}`);
  }
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
