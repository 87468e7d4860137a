import { execFile } from "node:child_process";
import { mkdir, symlink } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDb, db } from "../../lib/db/prisma";
import { setupTestEnv, type TestEnv } from "../../test/helpers/test-env";
import { tinyGguf, tinyRef, type TinyRef } from "../../test/helpers/tiny-gguf";

const exec = promisify(execFile);
const depot = path.resolve(import.meta.dirname, "../../bin/depot.js");
let env: TestEnv;
let gguf: string;
let ref: TinyRef;

type JsonOut = { text: string; tokens: number[]; promptTokens: number; finishReason: string; timings: { ttftMs: number; durationMs: number; tokensPerSecond: number } };

async function generate(model: string, prompt: string, extra: string[] = []): Promise<JsonOut> {
  const { stdout } = await exec(depot, ["generate", model, "--prompt", prompt, "--max-tokens", "32", "--temperature", "0", "--json", ...extra], {
    env: { ...process.env, INFERENCE_THREADS: "1" },
  });
  return JSON.parse(stdout.trim().split("\n").at(-1)!) as JsonOut;
}

beforeAll(async () => {
  env = await setupTestEnv();
  [gguf, ref] = await Promise.all([tinyGguf(), tinyRef()]);
});

afterAll(async () => {
  await closeDb();
});

describe("depot generate", () => {
  it("reproduces ref.json's greedy generated_ids for all 6 prompts from the f16 GGUF file", async () => {
    for (const p of ref.prompts) {
      const out = await generate(gguf, p.prompt);
      expect(out.tokens, p.prompt).toEqual(p.generated_ids);
      expect(out.promptTokens).toBe(p.input_ids.length);
      expect(out.text).toBe(p.generated_text);
      expect(out.finishReason).toBe("length");
      expect(out.timings.durationMs).toBeGreaterThan(0);
    }
  }, 180_000);

  it("resolves an inventory model by name, and streams plain text without --json", async () => {
    const dir = path.join(env.dataDir, "gguf", "tiny-f16");
    await mkdir(dir, { recursive: true });
    await symlink(gguf, path.join(dir, "tiny-f16.gguf"));
    await db().model.create({ data: { name: "tiny-f16", source: "local", format: "gguf", status: "ready", directory: dir } });
    const out = await generate("tiny-f16", ref.prompts[1]!.prompt);
    expect(out.tokens).toEqual(ref.prompts[1]!.generated_ids);
    const { stdout, stderr } = await exec(depot, ["generate", "tiny-f16", "-p", ref.prompts[1]!.prompt, "-n", "32", "-t", "0"], { env: { ...process.env, INFERENCE_THREADS: "1" } });
    expect(stdout.trim()).toBe(ref.prompts[1]!.generated_text);
    expect(stderr).toMatch(/6 prompt tokens, 32 generated \(length\)/);
  }, 60_000);

  it("fails clearly for an unknown model", async () => {
    const err = (await exec(depot, ["generate", "no-such-model", "-p", "x"], { env: process.env }).catch((e: unknown) => e)) as { code: number; stderr: string };
    expect(err.code).toBe(1);
    expect(err.stderr).toContain("model no-such-model not found");
  });
});
