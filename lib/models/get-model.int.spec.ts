import { copyFile, mkdir, open } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDb, db } from "../db/prisma";
import { setupTestEnv, type TestEnv } from "../../test/helpers/test-env";
import { tinyGguf } from "../../test/helpers/tiny-gguf";
import { getModel } from "./get-model";

let env: TestEnv;
beforeAll(async () => {
  env = await setupTestEnv();
});
afterAll(async () => {
  await closeDb();
});

describe("the model page's GGUF section", () => {
  it("says why a GGUF model's file cannot be read (a truncated file), without server paths", async () => {
    const dir = path.join(env.dataDir, "gguf", "broken");
    await mkdir(dir, { recursive: true });
    const file = path.join(dir, "broken.gguf");
    await copyFile(await tinyGguf(), file);
    const fh = await open(file, "r+");
    await fh.truncate(4000);
    await fh.close();
    const m = await db().model.create({ data: { name: "broken", source: "local", format: "gguf", status: "ready", directory: path.join("gguf", "broken") } });
    await db().modelFile.create({ data: { modelId: m.id, path: "broken.gguf", bytes: 4000n, status: "downloaded" } });

    const detail = await getModel({ id: m.id, user: { id: "admin", role: "admin" } });
    expect(detail.gguf).toBeNull();
    expect(detail.ggufError).toMatch(/truncat|past the end|beyond|ends/i);
    expect(detail.ggufError).not.toContain(env.dataDir);
  });
});
