import { mkdtemp, readdir, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Command } from "commander";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { register as registerConvert } from "./convert";
import { register as registerInspect } from "./inspect";

const FIXTURE = path.resolve(import.meta.dirname, "../../test/fixtures/tiny-llama");

let tmp: string;
beforeEach(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), "depot-cli-convert-"));
});
afterEach(async () => {
  vi.restoreAllMocks();
  await rm(tmp, { recursive: true, force: true });
});

function program(): Command {
  const p = new Command("depot").exitOverride().configureOutput({ writeErr: () => {} });
  registerConvert(p);
  registerInspect(p);
  return p;
}

describe("depot convert / depot inspect", () => {
  it("converts a folder and inspects the result as JSON", async () => {
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    const out = path.join(tmp, "m.gguf");
    await program().parseAsync(["convert", path.join(FIXTURE, "meta"), "--type", "q8_0", "--out", out, "--name", "Tiny Llama"], { from: "user" });
    expect(log.mock.calls[0]?.[0]).toBe(`${out}: Q8_0, 21 tensors, 4,196,672 parameters, 5,206,272 bytes`);
    log.mockClear();
    await program().parseAsync(["inspect", out, "--json"], { from: "user" });
    const info = JSON.parse(log.mock.calls[0]![0] as string);
    expect(info).toMatchObject({ name: "Tiny Llama", fileType: "Q8_0", architecture: "llama" });
    expect(info.tensors).toHaveLength(21);
  });

  it("refuses an unknown type before doing anything", async () => {
    await expect(program().parseAsync(["convert", path.join(FIXTURE, "hf"), "--type", "q9", "--out", path.join(tmp, "x.gguf")], { from: "user" }))
      .rejects.toThrow(/Allowed choices are f32, f16, bf16, q8_0, q4_0, q2_k, q3_k_m, q4_k_s, q4_k_m, q5_k_s, q5_k_m, q6_k/);
    expect(await readdir(tmp)).toEqual([]);
  });
});
