import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { config } from "../config/env";
import { PrismaClient as PgClient } from "../../prisma/generated/pg/client";
import { PrismaClient } from "../../prisma/generated/sqlite/client";

export type Db = PrismaClient;
export type { Prisma } from "../../prisma/generated/sqlite/client";

const globalForDb = globalThis as unknown as { depotDb?: Db };

/**
 * The process's one Prisma client. Both generated clients come from the same models, so the SQLite
 * client's type describes the PostgreSQL one too; the cast below is the one place that relies on it.
 */
export function db(): Db {
  if (globalForDb.depotDb) return globalForDb.depotDb;
  const cfg = config();
  const client =
    cfg.dbProvider === "postgresql"
      ? (new PgClient({ adapter: new PrismaPg({ connectionString: cfg.databaseUrl }) }) as unknown as Db)
      : new PrismaClient({ adapter: new PrismaBetterSQLite3({ url: cfg.databaseUrl }) });
  globalForDb.depotDb = client;
  return client;
}

export async function closeDb(): Promise<void> {
  await globalForDb.depotDb?.$disconnect();
  globalForDb.depotDb = undefined;
}
