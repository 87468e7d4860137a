import { defineConfig } from "prisma/config";
import pg from "pg";
import { PrismaPg } from "@prisma/adapter-pg";
import { pgPoolConfig, withTextCatalogTypes } from "../lib/db/pg-workarounds";

// Upstream workaround: with a connectionString the stock adapter's "shadow" database is the real one,
// so migrate gets separate connection fields and a shadow database it creates and drops itself.
async function admin(cfg: pg.PoolConfig, sql: string) {
  const c = new pg.Client(cfg);
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

class PrismaPgMigrate extends PrismaPg {
  constructor(private readonly cfg: pg.PoolConfig) {
    super(cfg);
  }
  override async connectToShadowDb() {
    const database = `prisma_migrate_shadow_db_${globalThis.crypto.randomUUID()}`;
    await admin(this.cfg, `CREATE DATABASE "${database}"`);
    const conn = await new PrismaPg({ ...this.cfg, database }).connect();
    const dispose = conn.dispose.bind(conn);
    conn.dispose = async () => {
      await dispose();
      await admin(this.cfg, `DROP DATABASE IF EXISTS "${database}"`);
    };
    return conn;
  }
}

withTextCatalogTypes();

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  adapter: async () => new PrismaPgMigrate(pgPoolConfig(process.env.DATABASE_URL!)),
  schema: "pg/schema.prisma",
  migrations: { path: "migrations/pg" },
});
