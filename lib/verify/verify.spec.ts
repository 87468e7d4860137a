import { copyFile, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyBlob } from "./verify-blob";
import { verifyChecklist } from "./verify-checklist";

const META = path.resolve(import.meta.dirname, "../../test/fixtures/tiny-llama/meta");
const SHA256 = "160557dcdac4a4140e8c45393cc9fdad0848533cdcec314fdf325f5204afbb9e";
const MD5 = "b5b72b4f2d00670390d3d8d4d9d2c490";
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "depot-verify-"));
  for (const f of ["consolidated.00.pth", "params.json", "checklist.chk"]) await copyFile(path.join(META, f), path.join(dir, f));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe("verifyBlob", () => {
  it("matches size, md5 and sha256 of a good file", async () => {
    const r = await verifyBlob({ file: path.join(dir, "consolidated.00.pth"), md5: MD5, sha256: SHA256.toUpperCase(), bytes: 8_400_700 });
    expect(r).toEqual({ ok: true, actual: { bytes: 8_400_700, md5: MD5, sha256: SHA256 }, expected: { bytes: 8_400_700, md5: MD5, sha256: SHA256 } });
  });

  it("computes only the digests asked for, in the same read", async () => {
    const r = await verifyBlob({ file: path.join(dir, "consolidated.00.pth"), sha256: SHA256, compute: ["sha256"] });
    expect(r).toEqual({ ok: true, actual: { bytes: 8_400_700, sha256: SHA256 }, expected: { sha256: SHA256 } });
  });

  it("reports expected vs actual on mismatch, a missing file, or nothing to check", async () => {
    const wrong = await verifyBlob({ file: path.join(dir, "params.json"), sha256: SHA256 });
    expect(wrong.ok).toBe(false);
    expect(wrong.expected.sha256).toBe(SHA256);
    expect(wrong.actual.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect((await verifyBlob({ file: path.join(dir, "params.json"), bytes: 1 })).ok).toBe(false);
    expect(await verifyBlob({ file: path.join(dir, "missing"), md5: MD5 })).toEqual({ ok: false, actual: {}, expected: { md5: MD5 } });
    expect((await verifyBlob({ file: path.join(dir, "params.json") })).ok).toBe(false);
  });
});

describe("verifyChecklist", () => {
  it("verifies a folder, flags a flipped byte, and uses known hashes instead of reading", async () => {
    const checklist = `${MD5}  consolidated.00.pth\n9c7b3efee874223c804a652b075e2e66  params.json\n`;
    expect((await verifyChecklist({ dir, checklist })).ok).toBe(true);

    await writeFile(path.join(dir, "params.json"), '{"dim": 65}');
    const bad = await verifyChecklist({ dir, checklist });
    expect(bad.ok).toBe(false);
    expect(bad.files.find((f) => f.path === "params.json")).toMatchObject({ ok: false, expectedMd5: "9c7b3efee874223c804a652b075e2e66" });

    const known = await verifyChecklist({ dir, checklist, known: { "params.json": { md5: "9c7b3efee874223c804a652b075e2e66" } } });
    expect(known.ok).toBe(true);
  });

  it("rejects checklist paths that escape the folder", async () => {
    await expect(verifyChecklist({ dir, checklist: `${MD5}  ../outside.pth\n` })).rejects.toThrow(/unsafe file name/);
  });
});
