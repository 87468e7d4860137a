import pg from "pg";

/** Connection fields from a postgres:// URL (Prisma's migrate needs fields, not a connectionString). */
export function pgPoolConfig(url: string): pg.PoolConfig {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: Number(u.port || 5432),
    user: decodeURIComponent(u.username) || undefined,
    password: decodeURIComponent(u.password) || undefined,
    database: u.pathname.slice(1),
  };
}

let patched = false;

/**
 * prisma/orm#27403: @prisma/adapter-pg rejects the catalog types `name` (oid 19) and `"char"` (oid 18)
 * that the wasm schema engine's introspection returns. Report them as text (oid 25); pg already gives strings.
 * Only migrations need this, so only prisma/pg.config.ts calls it.
 */
export function withTextCatalogTypes(): void {
  if (patched) return;
  patched = true;
  type Fields = { fields?: { dataTypeID: number }[] };
  const fix = (r: Fields | Fields[]) => {
    for (const res of Array.isArray(r) ? r : [r])
      for (const f of res?.fields ?? []) if (f.dataTypeID === 19 || f.dataTypeID === 18) f.dataTypeID = 25;
    return r;
  };
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const orig = proto.query;
  proto.query = function (this: unknown, ...args: unknown[]) {
    const last = args.length - 1;
    const cb = args[last];
    if (typeof cb === "function") {
      args[last] = (err: unknown, res: Fields) => (cb as (e: unknown, r: unknown) => void)(err, err ? res : fix(res));
    }
    const out = orig.apply(this, args);
    return out instanceof Promise ? out.then(fix) : out;
  };
}
