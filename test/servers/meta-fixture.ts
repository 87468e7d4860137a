import { copyFile, mkdir, writeFile } from "node:fs/promises";
import path from "node:path";

const FIXTURE = path.resolve(import.meta.dirname, "../fixtures/tiny-llama/meta");

/**
 * Lays out the tiny-llama Meta checkpoint the way Meta's CDN serves Llama 2 (as the 7B model), as plain copies of
 * the read-only fixture (a real download holds no links, and `depot verify` refuses links that leave the folder):
 * `LICENSE`, `USE_POLICY.md`, `tokenizer.model`, `tokenizer_checklist.chk`, and
 * `llama-2-7b/{consolidated.00.pth,params.json,checklist.chk}`.
 */
export async function buildMetaTree(dir: string): Promise<{ files: Record<string, string> }> {
  await mkdir(path.join(dir, "llama-2-7b"), { recursive: true });
  await writeFile(path.join(dir, "LICENSE"), "LLAMA 2 COMMUNITY LICENSE AGREEMENT (test copy)\n");
  await writeFile(path.join(dir, "USE_POLICY.md"), "# Llama 2 Acceptable Use Policy (test copy)\n");
  const copies: Record<string, string> = {
    "tokenizer.model": "tokenizer.model",
    "tokenizer_checklist.chk": "tokenizer_checklist.chk",
    "llama-2-7b/consolidated.00.pth": "consolidated.00.pth",
    "llama-2-7b/params.json": "params.json",
    "llama-2-7b/checklist.chk": "checklist.chk",
  };
  const files: Record<string, string> = {
    LICENSE: path.join(dir, "LICENSE"),
    "USE_POLICY.md": path.join(dir, "USE_POLICY.md"),
  };
  for (const [rel, src] of Object.entries(copies)) {
    await copyFile(path.join(FIXTURE, src), path.join(dir, rel));
    files[rel] = path.join(FIXTURE, src);
  }
  return { files };
}
