import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Command } from "commander";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { convertModel } from "../../lib/convert";
import { tensorHashes } from "../../test/helpers/gguf-fixtures";
import { K_QUANT_REFERENCE } from "../../test/helpers/k-quant-fixtures";
import { register as registerInspect } from "./inspect";
import { register as registerQuantize } from "./quantize";

const FIXTURE = path.resolve(import.meta.dirname, "../../test/fixtures/tiny-llama");

let tmp: string;
beforeEach(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), "depot-cli-quantize-"));
});
afterEach(async () => {
  vi.restoreAllMocks();
  await rm(tmp, { recursive: true, force: true });
});

function program(): Command {
  const p = new Command("depot").exitOverride().configureOutput({ writeErr: () => {} });
  registerQuantize(p);
  registerInspect(p);
  return p;
}

describe("depot quantize", () => {
  it("quantizes an F16 GGUF to the q8_0 tensors of a checkpoint conversion; inspect shows types and bits per weight", async () => {
    const src = path.join(tmp, "f16.gguf");
    const ref = path.join(tmp, "ref-q8_0.gguf");
    await convertModel({ inputDir: path.join(FIXTURE, "hf"), outFile: src, type: "f16", name: "Tiny Llama" });
    await convertModel({ inputDir: path.join(FIXTURE, "hf"), outFile: ref, type: "q8_0", name: "Tiny Llama" });
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    const out = path.join(tmp, "q8.gguf");
    await program().parseAsync(["quantize", src, "--type", "Q8_0", "--out", out], { from: "user" });
    expect(log.mock.calls[0]?.[0]).toBe(`${out}: Q8_0, 21 tensors, 4,196,672 parameters, 5,206,272 bytes (8.54 bits per weight)`);
    expect(log.mock.calls[1]?.[0]).toMatch(/^sha256 [0-9a-f]{64}$/);
    expect(await tensorHashes(out)).toEqual(await tensorHashes(ref));
    log.mockClear();
    await program().parseAsync(["inspect", out], { from: "user" });
    expect(log.mock.calls[1]?.[0]).toBe("4,196,672 parameters in 21 tensors (Q8_0 ×14, F32 ×5, F16 ×2), 8.54 bits per weight\n");
    expect(log.mock.calls.some(([l]) => /^blk\.0\.attn_q\.weight\s+Q8_0\s+\[64, 64\]/.test(String(l)))).toBe(true);
  });

  it("--type Q4_K_M writes llama-quantize's Q4_K_M tensors", async () => {
    const src = path.join(tmp, "f16.gguf");
    await convertModel({ inputDir: path.join(FIXTURE, "hf"), outFile: src, type: "f16", name: "Tiny Llama" });
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    const out = path.join(tmp, "q4km.gguf");
    await program().parseAsync(["quantize", src, "--type", "Q4_K_M", "--out", out], { from: "user" });
    expect(log.mock.calls[0]?.[0]).toMatch(new RegExp(`^${out}: Q4_K_M, 21 tensors, 4,196,672 parameters, [\\d,]+ bytes \\(\\d+\\.\\d\\d bits per weight\\)$`));
    const ref = JSON.parse(await readFile(path.join(K_QUANT_REFERENCE, "tiny-llama.json"), "utf8")).Q4_K_M.tensors;
    const ours = Object.fromEntries(Object.entries(await tensorHashes(out)).map(([k, v]) => [k, { type: v.type, sha256: v.sha256 }]));
    expect(ours).toEqual(ref);
  });

  it("refuses an unknown type before doing anything", async () => {
    await expect(program().parseAsync(["quantize", path.join(tmp, "in.gguf"), "--type", "q9", "--out", path.join(tmp, "x.gguf")], { from: "user" }))
      .rejects.toThrow(/cannot quantize to "q9": expected one of F16, BF16, Q8_0, Q4_0, Q2_K, Q3_K_M, Q4_K_S, Q4_K_M, Q5_K_S, Q5_K_M, Q6_K/);
    expect(await readdir(tmp)).toEqual([]);
  });
});
