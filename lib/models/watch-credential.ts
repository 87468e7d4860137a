import { readCredential } from "../credentials/read-credential";
import { decryptSecret } from "../crypto/secret-box";
import { db } from "../db/prisma";

/**
 * Keeps a credential's current value in memory and re-reads it every `intervalMs`, so a long download picks up a
 * value a user replaced mid-way (a fresh Meta link) on its next request. The engine asks synchronously, hence
 * the polling rather than a read per request; polls decrypt only when the stored value changed.
 */
export async function watchCredential(params: { id: string; intervalMs?: number }): Promise<{ current: () => string; stop: () => void }> {
  let value = (await readCredential(params.id)).value;
  let sealed = "";
  const timer = setInterval(() => {
    db()
      .credential.findUnique({ where: { id: params.id }, select: { encryptedValue: true } })
      .then((row) => {
        if (row && row.encryptedValue !== sealed) {
          value = decryptSecret(row.encryptedValue);
          sealed = row.encryptedValue;
        }
      })
      .catch(() => {}); // keep the last value; the download reports the real failure
  }, params.intervalMs ?? 2000);
  timer.unref();
  return { current: () => value, stop: () => clearInterval(timer) };
}
