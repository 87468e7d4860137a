import { randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { config } from "../config/env";

const cache = new Map<string, Promise<string>>();
const VALID = /^[a-z0-9]{6,32}$/;

async function readOrCreate(dataDir: string): Promise<string> {
  const file = path.join(dataDir, "store-id");
  const read = async () => (await readFile(file, "utf8")).trim();
  const existing = await read().catch(() => null);
  if (existing !== null) {
    if (!VALID.test(existing)) throw new Error(`${file} holds "${existing}", not a store id: delete the file to get a new one`);
    return existing;
  }
  await mkdir(dataDir, { recursive: true });
  // "wx": two processes starting on one DATA_DIR at once agree on whichever id was written first.
  await writeFile(file, `${randomBytes(6).toString("hex")}\n`, { flag: "wx", mode: 0o644 }).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== "EEXIST") throw err;
  });
  return read();
}

/**
 * The id of the model store at `dataDir`, created on first use. A store is a DATA_DIR: workers sharing one (on one
 * host, or over a shared file system) hold the same models; workers with their own each hold theirs.
 */
export function storeIdOf(dataDir: string): Promise<string> {
  const key = path.resolve(dataDir);
  let id = cache.get(key);
  if (!id) {
    id = readOrCreate(key);
    id.catch(() => cache.delete(key));
    cache.set(key, id);
  }
  return id;
}

/** This process's store (its DATA_DIR). */
export function localStoreId(): Promise<string> {
  return storeIdOf(config().dataDir);
}
