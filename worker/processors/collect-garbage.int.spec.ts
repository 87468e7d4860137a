import { existsSync } from "node:fs";
import { mkdir, symlink, utimes, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDb, db } from "../../lib/db/prisma";
import { setupTestEnv, type TestEnv } from "../../test/helpers/test-env";
import { collectGarbage } from "./collect-garbage";

let env: TestEnv;
const p = (...parts: string[]) => path.join(env.dataDir, ...parts);
const HOUR_AGO = new Date(Date.now() - 3600_000);
const TWO_DAYS_AGO = new Date(Date.now() - 48 * 3600_000);

async function file(rel: string, bytes: number, old = true) {
  await mkdir(path.dirname(p(rel)), { recursive: true });
  await writeFile(p(rel), Buffer.alloc(bytes, 7));
  if (old) await utimes(p(rel), HOUR_AGO, HOUR_AGO);
}
async function ageDir(rel: string) {
  await utimes(p(rel), HOUR_AGO, HOUR_AGO);
}
const model = (name: string, directory: string, status: string) =>
  db().model.create({ data: { name, source: "local", format: "gguf", status, directory } });

beforeAll(async () => {
  env = await setupTestEnv();
  // A finished GGUF model with a leftover temp file from an interrupted earlier convert.
  await file("gguf/good/good.gguf", 1000);
  await file("gguf/good/good.gguf.tmp-0a1b2c", 300);
  await model("good", p("gguf/good"), "ready");
  // A folder no model owns (its model row was deleted), and a fresh one that may be in the making.
  await file("gguf/orphan/orphan.gguf", 500);
  await ageDir("gguf/orphan");
  await file("gguf/fresh/fresh.gguf.tmp-ffff", 50, false);
  // A Meta download that failed on an expired link: its partial is what the resume continues from.
  await file("meta/set1/llama-2-7b/consolidated.00.pth.partial", 400);
  await file("meta/set1/llama-2-7b/consolidated.00.pth.partial.json", 20);
  await model("llama-2-7b", p("meta/set1"), "failed");
  // A hub-cache repo: one linked blob, one blob no snapshot links to.
  const repo = "hf/hub/models--org--tiny";
  await file(`${repo}/blobs/aaa`, 200);
  await file(`${repo}/blobs/bbb`, 700);
  await mkdir(p(`${repo}/snapshots/c0ffee`), { recursive: true });
  await symlink("../../blobs/aaa", p(`${repo}/snapshots/c0ffee/model.safetensors`));
  await model("org/tiny", p(`${repo}/snapshots/c0ffee`), "verified");
  // A browser upload nobody continued for two days (past UPLOAD_EXPIRE_HOURS' 24), and one an hour old.
  for (const f of ["uploads/0123456789abcdef01234567.partial", "uploads/0123456789abcdef01234567.json"]) {
    await file(f, 100);
    await utimes(p(f), TWO_DAYS_AGO, TWO_DAYS_AGO);
  }
  await file("uploads/76543210fedcba9876543210.partial", 80);
  await file("uploads/76543210fedcba9876543210.json", 20);
});

afterAll(closeDb);

describe("collectGarbage", () => {
  it("reports orphans in a dry run without deleting anything", async () => {
    const report = await collectGarbage({ dryRun: true });
    const found = Object.fromEntries(report.items.map((i) => [path.relative(env.dataDir, i.path), i.bytes]));
    expect(found).toEqual({
      "gguf/orphan": 500,
      "hf/hub/models--org--tiny/blobs/bbb": 700,
      "gguf/good/good.gguf.tmp-0a1b2c": 300,
      "uploads/0123456789abcdef01234567.partial": 100,
      "uploads/0123456789abcdef01234567.json": 100,
    });
    expect(report.bytesReclaimed).toBe(1700);
    expect(existsSync(p("gguf/orphan/orphan.gguf"))).toBe(true);
  });

  it("deletes them, keeping resumable partials, linked blobs and anything too young to judge", async () => {
    const report = await collectGarbage();
    expect(report.bytesReclaimed).toBe(1700);
    expect(existsSync(p("uploads/0123456789abcdef01234567.partial"))).toBe(false);
    expect(existsSync(p("gguf/orphan"))).toBe(false);
    expect(existsSync(p("hf/hub/models--org--tiny/blobs/bbb"))).toBe(false);
    expect(existsSync(p("gguf/good/good.gguf.tmp-0a1b2c"))).toBe(false);
    for (const kept of [
      "gguf/good/good.gguf",
      "hf/hub/models--org--tiny/blobs/aaa",
      "meta/set1/llama-2-7b/consolidated.00.pth.partial",
      "meta/set1/llama-2-7b/consolidated.00.pth.partial.json",
      "gguf/fresh/fresh.gguf.tmp-ffff",
      "uploads/76543210fedcba9876543210.partial",
      "uploads/76543210fedcba9876543210.json",
    ]) {
      expect(existsSync(p(kept)), kept).toBe(true);
    }
    expect((await collectGarbage()).items).toEqual([]);
  });
});
