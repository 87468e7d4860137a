import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { planParts, readState, writeState } from "./parts";

const MiB = 1024 * 1024;

describe("planParts", () => {
  it("splits into equal contiguous parts no smaller than the minimum", () => {
    const parts = planParts({ total: 200 * MiB, connections: 8, minPartBytes: 64 * MiB });
    expect(parts).toHaveLength(3);
    expect(parts[0]).toEqual({ start: 0, end: Math.ceil((200 * MiB) / 3), done: 0 });
    expect(parts.at(-1)?.end).toBe(200 * MiB);
    parts.slice(1).forEach((p, i) => expect(p.start).toBe(parts[i]?.end));
  });

  it("caps the count at 8 pieces per connection and handles tiny and empty files", () => {
    const pieces = planParts({ total: 13 * 1024 * MiB, connections: 8, minPartBytes: 64 * MiB });
    expect(pieces).toHaveLength(64);
    expect(pieces[0]?.end).toBe(Math.ceil((13 * 1024 * MiB) / 64));
    expect(planParts({ total: 1024 * MiB, connections: 8, minPartBytes: 64 * MiB })).toHaveLength(16);
    expect(planParts({ total: 10, connections: 8, minPartBytes: 64 * MiB })).toEqual([{ start: 0, end: 10, done: 0 }]);
    expect(planParts({ total: 0, connections: 8, minPartBytes: 1 })).toEqual([]);
  });
});

describe("readState", () => {
  const dirP = mkdtemp(path.join(os.tmpdir(), "depot-parts-"));
  afterAll(async () => rm(await dirP, { recursive: true, force: true }));

  it("round-trips a sidecar and rejects one that does not match the partial file", async () => {
    const dir = await dirP;
    const partial = path.join(dir, "f.partial");
    const sidecar = `${partial}.json`;
    await writeFile(partial, Buffer.alloc(100));
    const state = { version: 1 as const, total: 100, parts: [{ start: 0, end: 60, done: 10 }, { start: 60, end: 100, done: 40 }] };
    await writeState(sidecar, state);
    expect(await readState(sidecar, partial)).toEqual(state);

    await writeFile(partial, Buffer.alloc(99)); // truncated partial file
    expect(await readState(sidecar, partial)).toBeNull();

    await writeFile(partial, Buffer.alloc(100));
    await writeState(sidecar, { ...state, parts: [{ start: 0, end: 60, done: 61 }, { start: 60, end: 100, done: 0 }] });
    expect(await readState(sidecar, partial)).toBeNull(); // done beyond its part

    await writeState(sidecar, { ...state, parts: [{ start: 0, end: 50, done: 0 }, { start: 60, end: 100, done: 0 }] });
    expect(await readState(sidecar, partial)).toBeNull(); // gap

    await writeFile(sidecar, "{not json");
    expect(await readState(sidecar, partial)).toBeNull();
  });
});
