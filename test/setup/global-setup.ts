import "vitest";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { startRedis } from "../../lib/redis/start-redis";

// One private Redis per test run, started through the same code as the product's embedded default.
export default async function setup(project: TestProject) {
  const dir = await mkdtemp(path.join(os.tmpdir(), "depot-test-redis-"));
  const redis = await startRedis({ dir, quiet: true });
  project.provide("redisUrl", redis.url);
  process.env.REDIS_URL = redis.url;
  return async () => {
    await redis.stop();
    await rm(dir, { recursive: true, force: true });
  };
}

declare module "vitest" {
  export interface ProvidedContext {
    redisUrl: string;
  }
}
