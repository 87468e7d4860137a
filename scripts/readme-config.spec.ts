import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { withConfigTable } from "./readme-config";

describe("README configuration table", () => {
  it("lists every environment variable exactly as lib/config/env.ts defines it (run scripts/readme-config.ts)", () => {
    const readme = readFileSync(path.resolve(import.meta.dirname, "../README.md"), "utf8");
    expect(withConfigTable(readme)).toBe(readme);
  });
  it("keeps the two quick-start commands verbatim", () => {
    const readme = readFileSync(path.resolve(import.meta.dirname, "../README.md"), "utf8");
    expect(readme).toContain("npm ci && npm start");
    expect(readme).toContain("npm ci && npm test");
  });
});
