import { hash, verify } from "@node-rs/argon2";

// argon2id with OWASP's recommended minimums (19 MiB, 2 iterations, 1 lane).
const OPTIONS = { algorithm: 2 /* Algorithm.Argon2id: a const enum, unusable under isolatedModules */, memoryCost: 19_456, timeCost: 2, parallelism: 1 };

export const MIN_PASSWORD_LENGTH = 8;

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

// A hash of a random password with the same options: unknown emails are verified against it so that a failed
// sign-in costs one argon2 verify either way and the response time does not reveal which accounts exist.
let dummyHash: Promise<string> | undefined;

/** Verifies against the account's hash, or against a dummy one (always false) when there is no usable account. */
export async function verifyLogin(passwordHash: string | undefined, password: string): Promise<boolean> {
  if (passwordHash) return verifyPassword(passwordHash, password);
  dummyHash ??= hash(crypto.randomUUID(), OPTIONS);
  await verifyPassword(await dummyHash, password);
  return false;
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}
