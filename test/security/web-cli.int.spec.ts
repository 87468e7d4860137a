import { execFile } from "node:child_process";
import { mkdir, mkdtemp, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "../..");
const depot = (args: string[]) =>
  promisify(execFile)(process.execPath, ["--import", "tsx", path.join(root, "cli/depot.ts"), ...args], { cwd: root }).then(
    (r) => ({ code: 0, stderr: r.stderr }),
    (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
  );

describe("finding 14: the CLI refuses symlinks leaving a local model folder and never prints file bytes", () => {
  it.each([
    ["verify", (dir: string) => ["verify", dir]],
    ["convert", (dir: string) => ["convert", dir, "-o", path.join(dir, "..", "out.gguf")]],
  ])("depot %s", async (_name, args) => {
    const base = await mkdtemp(path.join(os.tmpdir(), "depot-cli-link-"));
    const secret = path.join(base, "secret.txt");
    await writeFile(secret, "TOPSECRET-9f2c private key material\n");
    const dir = path.join(base, "model");
    await mkdir(dir);
    await symlink(secret, path.join(dir, "params.json"));
    await symlink(secret, path.join(dir, "config.json"));
    await writeFile(path.join(dir, "SHA256SUMS"), `${"0".repeat(64)}  params.json\n`);
    await writeFile(path.join(dir, "consolidated.00.pth"), "x");
    const r = await depot(args(dir));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/symbolic link that leaves the folder/);
    expect(r.stderr).not.toContain("TOPSECRET");
  });
});

describe("the layouts that use links still pass the folder check", () => {
  it("Meta's shared tokenizer beside the folder and a Hugging Face cache snapshot", async () => {
    const { assertSelfContainedFolder } = await import("../../cli/local-folder");
    const base = await mkdtemp(path.join(os.tmpdir(), "depot-cli-layout-"));
    await writeFile(path.join(base, "tokenizer.model"), "t");
    await mkdir(path.join(base, "llama-2-7b"));
    await symlink("../tokenizer.model", path.join(base, "llama-2-7b", "tokenizer.model"));
    await assertSelfContainedFolder(path.join(base, "llama-2-7b"));
    const repo = path.join(base, "models--org--m");
    await mkdir(path.join(repo, "blobs"), { recursive: true });
    await mkdir(path.join(repo, "snapshots", "abc"), { recursive: true });
    await writeFile(path.join(repo, "blobs", "f00d"), "{}");
    await symlink("../../blobs/f00d", path.join(repo, "snapshots", "abc", "config.json"));
    await assertSelfContainedFolder(path.join(repo, "snapshots", "abc"));
    await symlink("../../../tokenizer.model", path.join(repo, "snapshots", "abc", "params.json"));
    await expect(assertSelfContainedFolder(path.join(repo, "snapshots", "abc"))).rejects.toThrow(/leaves the folder/);
  });
});
