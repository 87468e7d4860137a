import { defineConfig } from "prisma/config";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import type { SqlDriverAdapter, SqlQuery } from "@prisma/driver-adapter-utils";

// Upstream workaround (shared/recipes/prisma6-offline): the wasm schema engine sends multi-statement
// migration scripts through executeRaw(), which better-sqlite3 rejects; fall back to exec() for those.
type Exec = { client: { exec(sql: string): void }; executeRaw(q: SqlQuery): Promise<number> };
function allowMultiStatement<T extends SqlDriverAdapter>(adapter: T): T {
  let proto: object | null = adapter;
  while (proto && !Object.prototype.hasOwnProperty.call(proto, "executeRaw")) proto = Object.getPrototypeOf(proto);
  const target = proto as Exec | null;
  if (!target || (target.executeRaw as { patched?: boolean }).patched) return adapter;
  const orig = target.executeRaw;
  const patched = async function (this: Exec, q: SqlQuery) {
    try {
      return await orig.call(this, q);
    } catch (e) {
      if (q.args.length === 0 && /more than one statement/.test(String(e))) {
        this.client.exec(q.sql);
        return 0;
      }
      throw e;
    }
  };
  target.executeRaw = Object.assign(patched, { patched: true });
  return adapter;
}

class PrismaSqliteMigrate extends PrismaBetterSQLite3 {
  override async connect() {
    return allowMultiStatement(await super.connect());
  }
  override async connectToShadowDb() {
    return allowMultiStatement(await super.connectToShadowDb());
  }
}

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  adapter: async () => new PrismaSqliteMigrate({ url: process.env.DATABASE_URL! }),
  schema: "schema.prisma",
  migrations: { path: "migrations/sqlite" },
});
