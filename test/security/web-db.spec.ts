import { mkdtempSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { deploy } from "../../scripts/db";

describe("finding 14: depot.db is owner-only", () => {
  it("a new SQLite database is created 0600, an existing world-readable one is tightened", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "depot-db-"));
    const fresh = path.join(dir, "depot.db");
    deploy(`file:${fresh}`);
    expect(statSync(fresh).mode & 0o777).toBe(0o600);
    const old = path.join(dir, "old.db");
    writeFileSync(old, "", { mode: 0o644 });
    deploy(`file:${old}`);
    expect(statSync(old).mode & 0o777).toBe(0o600);
  });
});
