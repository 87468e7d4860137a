import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseConfig } from "./env";

describe("parseConfig", () => {
  it("defaults to a SQLite file under DATA_DIR and the embedded Redis", () => {
    const c = parseConfig({ DATA_DIR: "/srv/depot" });
    expect(c.databaseUrl).toBe(`file:${path.join("/srv/depot", "depot.db")}`);
    expect(c.dbProvider).toBe("sqlite");
    expect(c.REDIS_URL).toBeUndefined();
    expect(c.PORT).toBe(3000);
  });
  it("selects PostgreSQL for postgres:// URLs", () => {
    expect(parseConfig({ DATABASE_URL: "postgres://u@h/db" }).dbProvider).toBe("postgresql");
    expect(parseConfig({ DATABASE_URL: "postgresql://u@h/db" }).dbProvider).toBe("postgresql");
  });
  it("names every invalid variable in one clear error", () => {
    expect(() => parseConfig({ PORT: "http", DEPOT_SECRET_KEY: "short", DATABASE_URL: "mysql://x" })).toThrow(/PORT[\s\S]*DEPOT_SECRET_KEY/);
    expect(() => parseConfig({ DATABASE_URL: "mysql://x" })).toThrow(/DATABASE_URL/);
  });
});
