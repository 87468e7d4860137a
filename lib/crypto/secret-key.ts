import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { config } from "../config/env";

let key: Buffer | undefined;

/**
 * The 32-byte key that encrypts secrets at rest: DEPOT_SECRET_KEY, else `<DATA_DIR>/secret.key`,
 * generated (mode 0600, exclusive create so two processes starting together agree) on first use.
 */
export function secretKey(): Buffer {
  if (key) return key;
  const cfg = config();
  if (cfg.DEPOT_SECRET_KEY) {
    key = Buffer.from(cfg.DEPOT_SECRET_KEY, "base64");
    return key;
  }
  const file = path.join(cfg.dataDir, "secret.key");
  mkdirSync(cfg.dataDir, { recursive: true });
  try {
    writeFileSync(file, randomBytes(32).toString("base64") + "\n", { mode: 0o600, flag: "wx" });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
  }
  const decoded = Buffer.from(readFileSync(file, "utf8").trim(), "base64");
  if (decoded.length !== 32) throw new Error(`${file} does not hold a 32-byte base64 key`);
  key = decoded;
  return key;
}
