import { digesters, type Digester } from "../../lib/download/digester";

/** Runs `fn` with the engine's md5/sha256 switched off (no hash workers, no read-back), to price hashing. */
export async function withoutHashing<T>(fn: () => Promise<T>): Promise<T> {
  const real = digesters.create;
  const noop: Digester = { advance: () => {}, digest: async () => ({ md5: "", sha256: "" }), close: async () => {} };
  digesters.create = () => noop;
  try {
    return await fn();
  } finally {
    digesters.create = real;
  }
}
