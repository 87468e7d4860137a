import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { decryptSecret, encryptSecret, maskSecret } from "./secret-box";

describe("encryptSecret / decryptSecret", () => {
  const key = randomBytes(32);
  it("round-trips and never repeats a ciphertext", () => {
    const a = encryptSecret("hf_abc", key);
    expect(decryptSecret(a, key)).toBe("hf_abc");
    expect(encryptSecret("hf_abc", key)).not.toBe(a);
    expect(a).not.toContain("hf_abc");
  });
  it("refuses a tampered ciphertext or the wrong key", () => {
    const sealed = encryptSecret("secret", key);
    const parts = sealed.split(".");
    parts[3] = Buffer.from("Xecret").toString("base64url");
    expect(() => decryptSecret(parts.join("."), key)).toThrow();
    expect(() => decryptSecret(sealed, randomBytes(32))).toThrow();
    expect(() => decryptSecret("plain", key)).toThrow(/unknown format/);
  });
});

describe("maskSecret", () => {
  it("keeps a signed URL's origin and path, never its query", () => {
    expect(maskSecret("https://cdn.example/*?Policy=x&Signature=y")).toBe("https://cdn.example/*?…");
  });
  it("shows only the ends of a token", () => {
    expect(maskSecret("hf_abcdefghijklmnop")).toBe("hf_…mnop");
    expect(maskSecret("short")).toBe("…");
  });
});
