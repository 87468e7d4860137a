import { execFile } from "node:child_process";
import { mkdtempSync, symlinkSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, "../..");
const start = (args: string[], env: Record<string, string>) =>
  run(process.execPath, ["--import", "tsx", path.join(root, "scripts/start.ts"), ...args], {
    cwd: root,
    env: { HOME: os.homedir(), NODE_ENV: "test", DATA_DIR: mkdtempSync(path.join(os.tmpdir(), "depot-start-")), ...env },
  }).catch((e: { code: number; stderr: string }) => e);

describe("npm start's clear refusals", () => {
  it("says how to install redis-server or set REDIS_URL when neither exists", async () => {
    // A PATH with node but without redis-server.
    const bin = mkdtempSync(path.join(os.tmpdir(), "depot-path-"));
    symlinkSync(process.execPath, path.join(bin, "node"));
    const r = (await start([], { PATH: bin })) as { code: number; stderr: string };
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("redis-server was not found on PATH");
    expect(r.stderr).toContain("apt-get install -y redis-server");
    expect(r.stderr).toContain("REDIS_URL");
  });

  it("requires REDIS_URL for a single role (several hosts share one Redis)", async () => {
    const r = (await start(["--role", "worker"], { PATH: process.env.PATH ?? "" })) as { code: number; stderr: string };
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("REDIS_URL must be set for --role worker");
  });

  it("names invalid settings", async () => {
    const r = (await start([], { PATH: process.env.PATH ?? "", PORT: "not-a-port" })) as { code: number; stderr: string };
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/invalid configuration:\n\s+PORT:/);
  });
});
