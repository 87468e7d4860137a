import { createHash, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createDigester, WORKER_MIN_BYTES } from "./digester";

describe("createDigester", () => {
  const data = randomBytes(WORKER_MIN_BYTES + 123);
  const want = { md5: createHash("md5").update(data).digest("hex"), sha256: createHash("sha256").update(data).digest("hex") };

  it.each([
    ["worker threads", data.length],
    ["inline", 1],
  ])("hashes in order (%s) with bounded backlog", async (_, total) => {
    const d = createDigester(total);
    try {
      let maxBacklog = 0;
      for (let at = 0; at < data.length; at += 1 << 20) {
        await d.drained(4 << 20);
        maxBacklog = Math.max(maxBacklog, d.backlog);
        d.update(data.subarray(at, at + (1 << 20)));
      }
      expect(maxBacklog).toBeLessThanOrEqual(4 << 20);
      expect(await d.digest()).toEqual(want);
    } finally {
      await d.close();
    }
  });
});
