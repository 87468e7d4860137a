import { open, readFile, rename, stat, writeFile } from "node:fs/promises";
import { z } from "zod";

/** A byte range `[start, end)` of the file and how many of its bytes are on disk, counted from `start`. */
export interface Part {
  start: number;
  end: number;
  done: number;
}

/** The sidecar `<dest>.partial.json`: enough to resume into the pre-sized `<dest>.partial` after a crash. */
export interface DownloadState {
  version: 1;
  total: number;
  parts: Part[];
}

const stateSchema = z.object({
  version: z.literal(1),
  total: z.number().int().nonnegative(),
  parts: z.array(
    z.object({ start: z.number().int().nonnegative(), end: z.number().int(), done: z.number().int().nonnegative() }),
  ),
});

/**
 * Cuts `total` bytes into pieces of at least `minPartBytes`, at most `8 × connections` of them. Pieces are fetched
 * in file order by `connections` parallel requests (as ollama does with its part limit), so the contiguous prefix
 * on disk (what the in-order hasher can consume) trails the download by about `connections` pieces instead of
 * most of the file.
 */
export function planParts(params: { total: number; connections: number; minPartBytes: number }): Part[] {
  const { total } = params;
  if (total === 0) return [];
  const n = Math.max(1, Math.min(params.connections * 8, Math.floor(total / params.minPartBytes)));
  const size = Math.ceil(total / n);
  const out: Part[] = [];
  for (let start = 0; start < total; start += size) out.push({ start, end: Math.min(total, start + size), done: 0 });
  return out;
}

export function partSize(p: Part): number {
  return p.end - p.start;
}

/** Loads a sidecar only if it is well formed, its parts tile `[0, total)` and the partial file has that size. */
export async function readState(statePath: string, partialPath: string): Promise<DownloadState | null> {
  let raw: string;
  try {
    raw = await readFile(statePath, "utf8");
  } catch {
    return null;
  }
  let parsed: DownloadState;
  try {
    parsed = stateSchema.parse(JSON.parse(raw));
  } catch {
    return null;
  }
  let at = 0;
  for (const p of parsed.parts) {
    if (p.start !== at || p.end <= p.start || p.done > partSize(p)) return null;
    at = p.end;
  }
  if (at !== parsed.total) return null;
  const size = await stat(partialPath).then((s) => s.size, () => -1);
  return size === parsed.total ? parsed : null;
}

/** Write-then-rename so a crash never leaves a torn sidecar. */
export async function writeState(statePath: string, state: DownloadState): Promise<void> {
  const tmp = `${statePath}.tmp`;
  await writeFile(tmp, JSON.stringify(state));
  await rename(tmp, statePath);
}

/**
 * Rewrites the sidecar in place after every flushed chunk, so a `kill -9` loses at most one unflushed buffer per
 * part. The byte counts are space-padded to a fixed width (valid JSON), so each rewrite is a single small
 * positional write of the same length; at most one write is in flight and the next one carries the latest state.
 * Every snapshot claims only writes that have completed, so a stale snapshot under-claims and is still safe.
 */
export async function openStateWriter(statePath: string, state: DownloadState) {
  await writeState(statePath, state);
  const fh = await open(statePath, "r+");
  let length = -1;
  let inFlight: Promise<void> | null = null;
  let again = false;
  const encode = (s: DownloadState) =>
    Buffer.from(
      `{"version":1,"total":${s.total},"parts":[${s.parts
        .map((p) => `{"start":${p.start},"end":${p.end},"done":${String(p.done).padStart(16, " ")}}`)
        .join(",")}]}`,
    );
  const write = async (): Promise<void> => {
    do {
      again = false;
      const buf = encode(state);
      await fh.write(buf, 0, buf.length, 0);
      if (buf.length !== length) {
        await fh.truncate(buf.length);
        length = buf.length;
      }
    } while (again);
  };
  return {
    /** Schedules a rewrite; never awaits, never throws (a missed update only under-claims). */
    update(): void {
      if (inFlight) {
        again = true;
        return;
      }
      inFlight = write()
        .catch(() => {})
        .finally(() => {
          inFlight = null;
        });
    },
    /** Waits for pending rewrites, writes the final state and closes the file. */
    async close(): Promise<void> {
      await inFlight;
      await write().catch(() => {});
      await fh.close();
    },
  };
}
