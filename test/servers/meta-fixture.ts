import { createHash } from "node:crypto";
import { copyFile, mkdir, readdir, readFile, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { writePatternFile } from "./pattern-file";

const FIXTURE = path.resolve(import.meta.dirname, "../fixtures/tiny-llama/meta");

/** Where a real tiny Llama 3.1 checkpoint in Meta's layout goes (consolidated.00.pth, params.json, tokenizer.model, checklist.chk). */
export const TINY_LLAMA3_META = path.resolve(import.meta.dirname, "../fixtures/tiny-llama3/meta-llama3.1");

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

/**
 * Adds `llama-2-7b-chat/` to a buildMetaTree layout: one pattern-filled shard of `bytes` beside the tiny params.json,
 * so a download has small files that finish at once and one large one to watch, pause and resume.
 */
export async function addLargeChatShard(dir: string, bytes: number): Promise<void> {
  await mkdir(path.join(dir, "llama-2-7b-chat"));
  const { md5 } = await writePatternFile(path.join(dir, "llama-2-7b-chat/consolidated.00.pth"), bytes);
  await copyFile(path.join(FIXTURE, "params.json"), path.join(dir, "llama-2-7b-chat/params.json"));
  await writeFile(path.join(dir, "llama-2-7b-chat/checklist.chk"), `${md5}  consolidated.00.pth\n9c7b3efee874223c804a652b075e2e66  params.json\n`);
}

/**
 * One Llama 3.x model folder as Meta's CDN serves it (`<dir>/<folder>/`: tokenizer.model, params.json,
 * consolidated.NN.pth, and checklist.chk with the md5 of each, `md5sum` format). With `from`, the files of that
 * folder are copied (its own checklist.chk included, e.g. TINY_LLAMA3_META); otherwise the shards are
 * pattern-filled (`shardBytes` each), the tokenizer is tiktoken-style text (`base64 rank` lines) and the checklist
 * is written. Returns the md5 of each served file, by path relative to `dir`.
 */
export async function buildLlama3Folder(
  dir: string,
  opts: { folder: string; from?: string; shards?: number; shardBytes?: number; params?: Record<string, unknown> },
): Promise<{ md5: Record<string, string> }> {
  const out = path.join(dir, opts.folder);
  await mkdir(out, { recursive: true });
  const md5 = (b: Buffer | string) => createHash("md5").update(b).digest("hex");
  const sums: Record<string, string> = {};
  if (opts.from) {
    for (const name of await readdir(opts.from)) {
      if (!(await stat(path.join(opts.from, name))).isFile()) continue;
      await copyFile(path.join(opts.from, name), path.join(out, name));
      sums[name] = md5(await readFile(path.join(out, name)));
    }
  } else {
    const tokenizer = Array.from({ length: 256 }, (_, i) => `${Buffer.from([i]).toString("base64")} ${i}`).join("\n") + "\n";
    const params = JSON.stringify(opts.params ?? { dim: 64, n_layers: 2, n_heads: 4, n_kv_heads: 2, vocab_size: 256, multiple_of: 16, norm_eps: 1e-5, rope_theta: 500000, use_scaled_rope: true });
    await writeFile(path.join(out, "tokenizer.model"), tokenizer);
    await writeFile(path.join(out, "params.json"), params);
    sums["tokenizer.model"] = md5(tokenizer);
    sums["params.json"] = md5(params);
    for (let i = 0; i < (opts.shards ?? 1); i++) {
      const name = `consolidated.${String(i).padStart(2, "0")}.pth`;
      sums[name] = (await writePatternFile(path.join(out, name), opts.shardBytes ?? 3_000_000, 0x13 + i)).md5;
    }
    const checklist = Object.entries(sums).map(([name, sum]) => `${sum}  ${name}\n`).join("");
    await writeFile(path.join(out, "checklist.chk"), checklist);
    sums["checklist.chk"] = md5(checklist);
  }
  return { md5: Object.fromEntries(Object.entries(sums).map(([name, sum]) => [`${opts.folder}/${name}`, sum])) };
}
