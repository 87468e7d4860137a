import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { inject } from "vitest";
import { deploy } from "../../scripts/db";

/**
 * Which database the integration suites run on: TEST_DB=pg uses the PostgreSQL at TEST_PG_URL
 * (default postgresql://postgres@127.0.0.1:5432/test), creating one fresh database per test file;
 * anything else a fresh SQLite file. scripts/test.ts runs the suites once per database.
 */
export const TEST_DB = process.env.TEST_DB === "pg" ? "pg" : "sqlite";
const PG_ADMIN_URL = process.env.TEST_PG_URL ?? "postgresql://postgres@127.0.0.1:5432/test";

export type TestEnv = { dataDir: string; databaseUrl: string; redisUrl: string; redisPrefix: string };

async function freshPgDatabase(): Promise<string> {
  const name = `depot_test_${randomBytes(6).toString("hex")}`;
  const client = new pg.Client({ connectionString: PG_ADMIN_URL });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  const u = new URL(PG_ADMIN_URL);
  u.pathname = `/${name}`;
  return u.toString();
}

/**
 * Gives this test file its own DATA_DIR and migrated database, and points process.env at them and at the
 * run's Redis (started in test/setup/global-setup.ts). Call in beforeAll, before anything reads config().
 */
export async function setupTestEnv(): Promise<TestEnv> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "depot-test-"));
  const databaseUrl = TEST_DB === "pg" ? await freshPgDatabase() : `file:${path.join(dataDir, "depot.db")}`;
  const redisUrl = inject("redisUrl");
  // A private key prefix keeps test files that run in parallel from taking each other's jobs.
  const redisPrefix = `t${randomBytes(4).toString("hex")}`;
  Object.assign(process.env, {
    DATA_DIR: dataDir,
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    REDIS_PREFIX: redisPrefix,
    LOG_LEVEL: process.env.LOG_LEVEL ?? "warn",
    // The fake Meta CDN and Hub listen on 127.0.0.1: let downloads reach them, by configuration like an admin would.
    EGRESS_ALLOW: "127.0.0.1",
  });
  deploy(databaseUrl);
  return { dataDir, databaseUrl, redisUrl, redisPrefix };
}
