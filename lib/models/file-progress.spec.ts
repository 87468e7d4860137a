import { describe, expect, it } from "vitest";
import type { JobProgress } from "../queue/payloads";
import { createFileProgress } from "./file-progress";

describe("createFileProgress", () => {
  it("folds per-file progress into one report with a files array, throttled, and flushes the last state", async () => {
    const reports: JobProgress[] = [];
    const p = createFileProgress({ report: async (r) => void reports.push(r), intervalMs: 60_000, message: "m" });
    p.update({ path: "a", bytesDone: 50, bytesTotal: 100, speedBps: 10, etaSeconds: 5.4 });
    p.update({ path: "b", bytesDone: 0, bytesTotal: 300, speedBps: 20, etaSeconds: 15 });
    p.update({ path: "a", bytesDone: 100, bytesTotal: 100, speedBps: 10, etaSeconds: 0 });
    await p.flush();
    // The first update reported at once, the next two waited for the interval; flush sent the last state.
    expect(reports).toHaveLength(2);
    expect(reports[0]?.files).toHaveLength(1);
    expect(reports[1]).toEqual({
      pct: 25,
      message: "m",
      bytesDone: 100,
      bytesTotal: 400,
      speedBps: 20, // finished files no longer count
      etaSeconds: 15,
      files: [
        { path: "a", bytesDone: 100, bytesTotal: 100, speedBps: 10, etaSeconds: 0 },
        { path: "b", bytesDone: 0, bytesTotal: 300, speedBps: 20, etaSeconds: 15 },
      ],
    });
  });

  it("starts a resumed run from the last report: every file stays listed and no count drops", async () => {
    const previous: JobProgress = {
      pct: 60,
      bytesDone: 60,
      bytesTotal: 100,
      speedBps: 5,
      etaSeconds: 8,
      files: [
        { path: "done.json", bytesDone: 10, bytesTotal: 10, speedBps: 0, etaSeconds: 0 },
        { path: "big.bin", bytesDone: 50, bytesTotal: 90, speedBps: 5, etaSeconds: 8 },
      ],
    };
    const reports: JobProgress[] = [];
    const p = createFileProgress({ report: async (r) => void reports.push(r), intervalMs: 0, previous });
    // The resumed part starts from its sidecar, a little behind the last report; the finished file never reports.
    p.update({ path: "big.bin", bytesDone: 48, bytesTotal: 90, speedBps: 0, etaSeconds: null });
    p.update({ path: "big.bin", bytesDone: 70, bytesTotal: 90, speedBps: 9, etaSeconds: 2 });
    await p.flush();
    expect(reports.map((r) => [r.bytesDone, r.bytesTotal, r.files?.map((f) => f.path)])).toEqual([
      [60, 100, ["done.json", "big.bin"]],
      [80, 100, ["done.json", "big.bin"]],
      [80, 100, ["done.json", "big.bin"]],
    ]);
  });
});
