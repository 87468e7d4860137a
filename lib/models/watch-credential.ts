import { readCredential } from "../credentials/read-credential";

/**
 * Keeps a credential's current value in memory and re-reads it every `intervalMs`, so a long download picks up a
 * value a user replaced mid-way (a fresh Meta link) on its next request. The engine asks synchronously, hence
 * the polling rather than a read per request.
 */
export async function watchCredential(params: { id: string; intervalMs?: number }): Promise<{ current: () => string; stop: () => void }> {
  let value = (await readCredential(params.id)).value;
  const timer = setInterval(() => {
    readCredential(params.id).then(
      (c) => (value = c.value),
      () => {}, // keep the last value; the download reports the real failure
    );
  }, params.intervalMs ?? 2000);
  timer.unref();
  return { current: () => value, stop: () => clearInterval(timer) };
}
