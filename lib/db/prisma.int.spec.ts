import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setupTestEnv, TEST_DB } from "../../test/helpers/test-env";
import { closeDb, db } from "./prisma";

beforeAll(async () => void (await setupTestEnv()));
afterAll(() => closeDb());

describe.skipIf(TEST_DB !== "sqlite")("the SQLite connection", () => {
  it("is in WAL mode with synchronous=NORMAL from its first statement", async () => {
    const [mode] = await db().$queryRawUnsafe<{ journal_mode: string }[]>("PRAGMA journal_mode");
    const [sync] = await db().$queryRawUnsafe<{ synchronous: bigint }[]>("PRAGMA synchronous");
    expect(mode?.journal_mode).toBe("wal");
    expect(Number(sync?.synchronous)).toBe(1); // NORMAL
  });
});
