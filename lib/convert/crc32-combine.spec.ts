import { randomBytes } from "node:crypto";
import { crc32 } from "node:zlib";
import { describe, expect, it } from "vitest";
import { crc32Combine } from "./crc32-combine";

describe("crc32Combine", () => {
  it("gives zlib.crc32 of the concatenation, for empty, short and multi-MiB parts", () => {
    const cases: [number, number][] = [[0, 0], [0, 5], [7, 0], [1, 1], [100, 3], [3 << 20, (5 << 20) + 17]];
    for (const [a, b] of cases) {
      const A = randomBytes(a);
      const B = randomBytes(b);
      expect(crc32Combine(crc32(A), crc32(B), b), `${a}+${b}`).toBe(crc32(Buffer.concat([A, B])));
    }
  });

  it("folds many chunks in file order", () => {
    const parts = Array.from({ length: 20 }, (_, i) => randomBytes(1000 * i + 1));
    const whole = parts.reduce((acc, p) => crc32Combine(acc, crc32(p), p.length), 0);
    expect(whole).toBe(crc32(Buffer.concat(parts)));
  });
});
