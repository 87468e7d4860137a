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
      : new PrismaClient({ adapter: new WalSqlite({ url: cfg.databaseUrl }) });
  globalForDb.depotDb = client;
  return client;
}

/**
 * SQLite in WAL mode with synchronous=NORMAL: readers (the web) never wait for the writer (a worker), and a commit
 * no longer waits for an fsync (it is durable at the next checkpoint; a crash never corrupts the file). With the
 * default rollback journal each job-row update cost 37–75 ms on the test machine's disk, most of a request's time
 * to first token (bench/serving, the full /v1 path). Set on the adapter's one connection as it opens, before any
 * statement.
 */
class WalSqlite extends PrismaBetterSQLite3 {
  override async connect() {
    const adapter = await super.connect();
    await adapter.executeScript("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;");
    return adapter;
  }
}

export async function closeDb(): Promise<void> {
  await globalForDb.depotDb?.$disconnect();
  globalForDb.depotDb = undefined;
}
