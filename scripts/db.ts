// Database chores for both providers: `generate` (both clients), `deploy` (migrations for the configured DB),
// `new <name>` (a migration for each provider from the schema change). Prisma 6's CLI always gets our config
// file, which makes it use the wasm schema engine (no engine download: works offline).
import { spawnSync } from "node:child_process";
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const prismaBin = path.join(root, "node_modules", ".bin", "prisma");

function derivePgSchema(): void {
  const src = readFileSync(path.join(root, "prisma/schema.prisma"), "utf8");
  const pg = src
    .replace('provider = "sqlite"', 'provider = "postgresql"')
    .replace('output     = "./generated/sqlite"', 'output     = "../generated/pg"');
  if (pg === src) throw new Error("could not derive the PostgreSQL schema");
  mkdirSync(path.join(root, "prisma/pg"), { recursive: true });
  writeFileSync(path.join(root, "prisma/pg/schema.prisma"), "// Generated from ../schema.prisma by scripts/db.ts: do not edit.\n" + pg);
}

/** Runs the Prisma CLI and returns its stdout; its chatter is shown only when it fails. */
function prisma(provider: "sqlite" | "pg", args: string[], url: string): string {
  const res = spawnSync(prismaBin, [...args, "--config", `prisma/${provider}.config.ts`], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: url, PRISMA_HIDE_UPDATE_MESSAGE: "1", CHECKPOINT_DISABLE: "1" },
    stdio: ["ignore", "pipe", "pipe"],
    encoding: "utf8",
  });
  if (res.status !== 0) {
    throw new Error(`prisma ${args.join(" ")} (${provider}) failed with exit code ${res.status}:\n${res.stdout}\n${res.stderr}`);
  }
  return res.stdout;
}

export function generate(): void {
  derivePgSchema();
  // generate never connects; the URLs only satisfy env() in the schema.
  prisma("sqlite", ["generate"], "file:./unused.db");
  prisma("pg", ["generate"], "postgresql://localhost/unused");
  console.log("generated the Prisma clients (SQLite and PostgreSQL)");
}

export function deploy(databaseUrl: string): void {
  derivePgSchema();
  const provider = databaseUrl.startsWith("file:") ? "sqlite" : "pg";
  if (provider === "sqlite") {
    const file = databaseUrl.slice("file:".length).split("?")[0]!;
    mkdirSync(path.dirname(file), { recursive: true });
    // Owner-only, like secret.key: the file holds password hashes and session tokens. SQLite gives its journal
    // files the database file's mode; chmod also tightens files an older version created world-readable.
    closeSync(openSync(file, "a", 0o600));
    for (const f of [file, `${file}-wal`, `${file}-shm`, `${file}-journal`]) if (existsSync(f)) chmodSync(f, 0o600);
  }
  prisma(provider, ["migrate", "deploy"], databaseUrl);
}

/** Writes migrations/<provider>/<timestamp>_<name>/migration.sql for both providers. */
function newMigration(name: string, sqliteUrl: string, pgUrl: string): void {
  derivePgSchema();
  const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
  for (const [provider, url, schema] of [
    ["sqlite", sqliteUrl, "prisma/schema.prisma"],
    ["pg", pgUrl, "prisma/pg/schema.prisma"],
  ] as const) {
    const dir = path.join(root, "prisma/migrations", provider);
    mkdirSync(dir, { recursive: true });
    const hasMigrations = readdirSync(dir).some((d) => /^\d/.test(d));
    const from = hasMigrations ? ["--from-migrations", path.relative(root, dir)] : ["--from-empty"];
    const sql = prisma(provider, ["migrate", "diff", ...from, "--to-schema-datamodel", schema, "--script"], url);
    const out = path.join(dir, `${stamp}_${name}`);
    mkdirSync(out, { recursive: true });
    writeFileSync(path.join(out, "migration.sql"), sql);
    if (!hasMigrations) writeFileSync(path.join(dir, "migration_lock.toml"), `provider = "${provider === "pg" ? "postgresql" : "sqlite"}"\n`);
    console.log(`wrote ${path.relative(root, out)}/migration.sql`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [cmd, arg] = process.argv.slice(2);
  if (cmd === "generate") generate();
  else if (cmd === "deploy") {
    const { config } = await import("../lib/config/env");
    deploy(config().databaseUrl);
  } else if (cmd === "new" && arg) {
    newMigration(arg, process.env.SQLITE_URL ?? "file:/tmp/depot-migrate.db", process.env.PG_URL ?? "postgresql://postgres@127.0.0.1:5432/test");
  } else {
    console.error("usage: tsx scripts/db.ts generate | deploy | new <name>");
    process.exit(2);
  }
}
