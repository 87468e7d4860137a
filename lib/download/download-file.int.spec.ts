import { spawn } from "node:child_process";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readFile, readdir, rm, stat, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startMetaCdn, type MetaCdn } from "../../test/servers/meta-cdn";
import { writePatternFile } from "../../test/servers/pattern-file";
import { DownloadError, downloadFile, type DownloadProgress } from "./index";

// The local servers listen on 127.0.0.1: allowed through the egress policy's configuration, as an admin would.
process.env.EGRESS_ALLOW ??= "127.0.0.1";

const FIXTURE = path.resolve(import.meta.dirname, "../../test/fixtures/tiny-llama/meta/consolidated.00.pth");
const FIXTURE_SHA256 = "160557dcdac4a4140e8c45393cc9fdad0848533cdcec314fdf325f5204afbb9e";
const FIXTURE_MD5 = "b5b72b4f2d00670390d3d8d4d9d2c490";
const FIXTURE_BYTES = 8_400_700;
const MiB = 1024 * 1024;
const BIG = 200 * 1000 * 1000;

let dir: string;
let cdn: MetaCdn;
let big: { md5: string; sha256: string };
let signed: string;
const fileUrl = (rel: string) => signed.replace("*", rel);

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "depot-dl-"));
  const root = path.join(dir, "root");
  await mkdir(root);
  await symlink(FIXTURE, path.join(root, "consolidated.00.pth"));
  await writeFile(path.join(root, "empty.bin"), "");
  big = await writePatternFile(path.join(root, "big.bin"), BIG);
  cdn = await startMetaCdn({ root });
  signed = cdn.signUrl(new Date(Date.now() + 3600_000));
});

afterAll(async () => {
  await cdn?.stop();
  await rm(dir, { recursive: true, force: true });
});

beforeEach(() => {
  cdn.options = { root: cdn.options.root };
  cdn.resetStats();
});

async function outDir(name: string) {
  const d = path.join(dir, "out", name);
  await mkdir(d, { recursive: true });
  return d;
}

async function sha256Of(file: string) {
  return createHash("sha256").update(await readFile(file)).digest("hex");
}

/** Aborts when the server has sent `fraction` of `total` bytes (the server's own count). */
function abortAt(fraction: number, total: number, base: number) {
  const ctrl = new AbortController();
  const timer = setInterval(() => {
    if (cdn.stats.bytesServed - base >= fraction * total) ctrl.abort();
  }, 2);
  return { signal: ctrl.signal, stop: () => clearInterval(timer) };
}

describe("downloadFile", () => {
  it("resumes a 200 MB download aborted at ~30/60/90 % without refetching, and verifies it", async () => {
    const dest = path.join(await outDir("big"), "big.bin");
    cdn.options.throttleBps = 40 * MiB; // per connection: keeps the test seconds long and in-flight bytes small
    const progress: DownloadProgress[] = [];
    const starts: number[] = [];
    for (const fraction of [0.3, 0.6, 0.9]) {
      const stopper = abortAt(fraction, BIG, 0);
      starts.push(Date.now());
      const err = await downloadFile({
        url: fileUrl("big.bin"),
        dest,
        parts: 4,
        minPartBytes: 16 * MiB,
        signal: stopper.signal,
        onProgress: (p) => progress.push(p),
      }).catch((e: unknown) => e);
      stopper.stop();
      expect(err).toBeInstanceOf(DownloadError);
      expect((err as DownloadError).code).toBe("aborted");
      const sidecar = JSON.parse(await readFile(`${dest}.partial.json`, "utf8")) as { parts: Array<{ done: number }> };
      const onDisk = sidecar.parts.reduce((s, p) => s + p.done, 0);
      expect(onDisk).toBeGreaterThan((fraction - 0.1) * BIG);
    }
    const t0 = Date.now();
    const result = await downloadFile({ url: fileUrl("big.bin"), dest, parts: 4, minPartBytes: 16 * MiB });
    expect(result.resumedBytes).toBeGreaterThan(0.8 * BIG);
    expect(result).toMatchObject({ bytes: BIG, sha256: big.sha256, md5: big.md5 });
    expect(await stat(dest).then((s) => s.size)).toBe(BIG);
    expect(await readdir(path.dirname(dest))).toEqual(["big.bin"]); // sidecar and .partial gone
    expect(cdn.stats.bytesServed).toBeLessThanOrEqual(1.1 * BIG);
    // Progress is throttled to 4/s (plus one final report per run).
    const seconds = (Date.now() - (starts[0] ?? t0)) / 1000;
    expect(progress.length).toBeLessThanOrEqual(4 * seconds + 4);
    expect(progress.at(-1)?.bytesTotal).toBe(BIG);
  });

  it("resumes from disk after the downloading process is killed with SIGKILL", async () => {
    const dest = path.join(await outDir("killed"), "big.bin");
    // Slow enough that the child keeps up on a busy 2-core box: bytes the kernel buffered for a killed process are
    // lost with it (about 1 MB at 4 x 10 MiB/s here, about 12 MB at 4 x 20 MiB/s).
    cdn.options.throttleBps = 10 * MiB;
    const child = spawn(
      process.execPath,
      ["--import", "tsx", path.resolve(import.meta.dirname, "../../test/servers/download-child.ts"), fileUrl("big.bin"), dest, "4", String(16 * MiB)],
      { stdio: "ignore" },
    );
    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        if (cdn.stats.bytesServed >= 0.5 * BIG) {
          clearInterval(timer);
          child.kill("SIGKILL");
          resolve();
        }
      }, 2);
      child.on("exit", (code) => {
        clearInterval(timer);
        if (code !== null) reject(new Error(`child exited early with ${code}`));
      });
    });
    await new Promise((r) => child.once("close", r));
    cdn.options.throttleBps = undefined;
    const result = await downloadFile({ url: fileUrl("big.bin"), dest, parts: 4, minPartBytes: 16 * MiB });
    expect(result.resumedBytes).toBeGreaterThan(0.4 * BIG);
    expect(result.sha256).toBe(big.sha256);
    expect(cdn.stats.bytesServed).toBeLessThanOrEqual(1.1 * BIG);
  });

  it("handles a server that ignores Range (200 instead of 206), with and without a known size", async () => {
    cdn.options.ignoreRange = true;
    const d = await outDir("no-range");
    const known = await downloadFile({
      url: fileUrl("consolidated.00.pth"),
      dest: path.join(d, "a.pth"),
      expectedBytes: FIXTURE_BYTES,
      parts: 4,
      minPartBytes: MiB,
    });
    const unknown = await downloadFile({ url: fileUrl("consolidated.00.pth"), dest: path.join(d, "b.pth"), parts: 4, minPartBytes: MiB });
    for (const r of [known, unknown]) expect(r).toMatchObject({ bytes: FIXTURE_BYTES, sha256: FIXTURE_SHA256, md5: FIXTURE_MD5 });
    expect(await sha256Of(path.join(d, "a.pth"))).toBe(FIXTURE_SHA256);
    expect(await sha256Of(path.join(d, "b.pth"))).toBe(FIXTURE_SHA256);
    expect(cdn.stats.statuses.every((s) => s === 200)).toBe(true);
  });

  it("computes only the digests asked for, plus the expected one", async () => {
    const d = await outDir("one-digest");
    const md5Only = await downloadFile({ url: fileUrl("consolidated.00.pth"), dest: path.join(d, "a.pth"), digests: ["md5"], parts: 4, minPartBytes: MiB });
    expect(md5Only).toEqual({ bytes: FIXTURE_BYTES, md5: FIXTURE_MD5, resumedBytes: 0 });
    const expected = await downloadFile({
      url: fileUrl("consolidated.00.pth"),
      dest: path.join(d, "b.pth"),
      digests: ["md5"],
      expectedSha256: FIXTURE_SHA256,
      parts: 4,
      minPartBytes: MiB,
    });
    expect(expected).toEqual({ bytes: FIXTURE_BYTES, md5: FIXTURE_MD5, sha256: FIXTURE_SHA256, resumedBytes: 0 });
  });

  it("restarts on 416 when a stale sidecar describes a bigger file, and handles an empty file", async () => {
    const d = await outDir("stale");
    const dest = path.join(d, "c.pth");
    const staleTotal = FIXTURE_BYTES + 4096;
    await writeFile(`${dest}.partial`, Buffer.alloc(staleTotal));
    const half = Math.ceil(staleTotal / 2);
    await writeFile(
      `${dest}.partial.json`,
      JSON.stringify({ version: 1, total: staleTotal, parts: [{ start: 0, end: half, done: 0 }, { start: half, end: staleTotal, done: staleTotal - half - 1 }] }),
    );
    const r = await downloadFile({ url: fileUrl("consolidated.00.pth"), dest, parts: 2, minPartBytes: MiB });
    expect(r.sha256).toBe(FIXTURE_SHA256);
    expect(cdn.stats.statuses).toContain(416);
    expect(await sha256Of(dest)).toBe(FIXTURE_SHA256);

    const empty = await downloadFile({ url: fileUrl("empty.bin"), dest: path.join(d, "empty.bin") });
    expect(empty).toMatchObject({ bytes: 0, md5: "d41d8cd98f00b204e9800998ecf8427e" });
    expect(await stat(path.join(d, "empty.bin")).then((s) => s.size)).toBe(0);
  });

  it("detects a flipped byte and discards the download", async () => {
    cdn.options.corrupt = { path: "consolidated.00.pth", offset: 4_000_000 };
    const d = await outDir("corrupt");
    const plain = await downloadFile({ url: fileUrl("consolidated.00.pth"), dest: path.join(d, "a.pth"), parts: 3, minPartBytes: MiB });
    expect(plain.sha256).not.toBe(FIXTURE_SHA256);
    const err = await downloadFile({
      url: fileUrl("consolidated.00.pth"),
      dest: path.join(d, "b.pth"),
      expectedSha256: FIXTURE_SHA256,
      parts: 3,
      minPartBytes: MiB,
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "checksum_mismatch", expected: { sha256: FIXTURE_SHA256 }, actual: { sha256: plain.sha256 } });
    expect(await readdir(d)).toEqual(["a.pth"]);
  });

  it("refuses to start without enough disk space, before fetching anything when the size is known", async () => {
    const d = await outDir("nospace");
    const statfs = async () => ({ bavail: 10, bsize: 4096 });
    const known = await downloadFile({ url: fileUrl("big.bin"), dest: path.join(d, "a"), expectedBytes: BIG, statfs }).catch((e: unknown) => e);
    expect(known).toMatchObject({ code: "no_space" });
    expect((known as Error).message).toMatch(/not enough disk space .*need 190\.7 MiB, 40\.0 KiB free/);
    expect(cdn.stats.requests).toBe(0);
    const unknown = await downloadFile({ url: fileUrl("big.bin"), dest: path.join(d, "b"), statfs }).catch((e: unknown) => e);
    expect(unknown).toMatchObject({ code: "no_space" });
    expect(await readdir(d)).toEqual([]);
    expect(cdn.stats.bytesServed).toBeLessThan(BIG / 10);
  });

  it("reports ENOSPC mid-way clearly (4 MiB tmpfs in a user namespace)", async () => {
    const mnt = await outDir("tiny-fs");
    const child = path.resolve(import.meta.dirname, "../../test/servers/download-child.ts");
    const script = `mount -t tmpfs -o size=4m none "$1" && exec "$2" --import tsx "$3" "$4" "$1/a.pth" 2 1048576 --no-space-check`;
    const proc = spawn("unshare", ["-rm", "sh", "-c", script, "sh", mnt, process.execPath, child, fileUrl("consolidated.00.pth")], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    proc.stdout.on("data", (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((r) => proc.on("close", r));
    expect(code).toBe(1);
    const err = JSON.parse(out) as { code: string; message: string };
    expect(err.code).toBe("no_space");
    expect(err.message).toMatch(/^disk full while writing a\.pth in .*: free some space and resume; downloaded bytes are kept$/);
  });

  it("retries 5xx, mid-stream drops and stalls, then succeeds", async () => {
    cdn.options.failRequests = 2;
    cdn.options.dropAfterBytes = 700_000;
    cdn.options.maxDrops = 6;
    cdn.options.stallAfterBytes = 300_000;
    cdn.options.maxStalls = 2;
    const d = await outDir("flaky");
    const r = await downloadFile({ url: fileUrl("consolidated.00.pth"), dest: path.join(d, "a.pth"), parts: 2, minPartBytes: MiB, stallMs: 300 });
    expect(r.sha256).toBe(FIXTURE_SHA256);
    expect(cdn.stats.statuses).toContain(503);
    expect(cdn.stats.drops).toBe(6);
    expect(cdn.stats.stalls).toBe(2);
    expect(cdn.stats.bytesServed).toBeLessThan(FIXTURE_BYTES * 1.1);
  });

  it("gives up with `stalled` and keeps the bytes, then resumes", async () => {
    cdn.options.stallAfterBytes = 1_000_000;
    const d = await outDir("stalled");
    const dest = path.join(d, "a.pth");
    const err = await downloadFile({ url: fileUrl("consolidated.00.pth"), dest, parts: 1, stallMs: 200, maxRetries: 1 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "stalled" });
    expect((err as Error).message).not.toMatch(/Signature|Policy/);
    cdn.options.stallAfterBytes = undefined;
    cdn.resetStats();
    const r = await downloadFile({ url: fileUrl("consolidated.00.pth"), dest, parts: 1 });
    expect(r.resumedBytes).toBeGreaterThanOrEqual(1_000_000);
    expect(r.sha256).toBe(FIXTURE_SHA256);
    expect(cdn.stats.bytesServed).toBe(FIXTURE_BYTES - r.resumedBytes);
  });

  it("runs on an injected fetch too (retries and parts included)", async () => {
    cdn.options.dropAfterBytes = 500_000;
    cdn.options.maxDrops = 3;
    let calls = 0;
    const counting: typeof fetch = (input, init) => {
      calls++;
      return fetch(input, init);
    };
    const r = await downloadFile({ url: fileUrl("consolidated.00.pth"), dest: path.join(await outDir("fetch"), "a.pth"), parts: 3, minPartBytes: MiB, fetch: counting });
    expect(r.sha256).toBe(FIXTURE_SHA256);
    expect(calls).toBe(cdn.stats.requests);
    expect(calls).toBeGreaterThanOrEqual(8 + 3);
  });

  it("gives up on a server that never answers, within the stall limit", async () => {
    const silent = http.createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
    try {
      const port = (silent.address() as AddressInfo).port;
      const t0 = Date.now();
      const err = await downloadFile({ url: `http://127.0.0.1:${port}/x?sig=secret`, dest: path.join(await outDir("silent"), "x"), stallMs: 150, maxRetries: 1 }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: "network" });
      expect((err as Error).message).toMatch(/no response from .*\?<redacted> within 150 ms/);
      expect(Date.now() - t0).toBeLessThan(3000);
    } finally {
      silent.closeAllConnections();
      await new Promise((r) => silent.close(r));
    }
  });

  it("shares one download between concurrent callers, and locks out a second live process", async () => {
    const d = await outDir("shared");
    const dest = path.join(d, "a.pth");
    const opts = { url: fileUrl("consolidated.00.pth"), dest, parts: 2, minPartBytes: MiB };
    const [a, b] = await Promise.all([downloadFile(opts), downloadFile(opts)]);
    expect(a.sha256).toBe(FIXTURE_SHA256);
    expect(b).toEqual(a);
    expect(cdn.stats.bytesServed).toBe(FIXTURE_BYTES + 1); // + the one-byte size probe

    const other = spawn("sleep", ["30"]);
    try {
      await writeFile(`${path.join(d, "b.pth")}.partial.lock`, String(other.pid));
      const busy = await downloadFile({ ...opts, dest: path.join(d, "b.pth") }).catch((e: unknown) => e);
      expect(busy).toMatchObject({ code: "busy", retryable: true });
    } finally {
      other.kill("SIGKILL");
      await new Promise((r) => other.once("close", r));
    }
    // The owner died: its lock is stale and taken over.
    const r = await downloadFile({ ...opts, dest: path.join(d, "b.pth") });
    expect(r.sha256).toBe(FIXTURE_SHA256);
    expect(await readdir(d)).toEqual(["a.pth", "b.pth"]);
  });

  it("fails fast on 403/404 with the server's reason and no query string", async () => {
    const d = await outDir("errors");
    const expired = cdn.signUrl(new Date(Date.now() - 1000)).replace("*", "consolidated.00.pth");
    const e403 = await downloadFile({ url: expired, dest: path.join(d, "a") }).catch((e: unknown) => e);
    expect(e403).toMatchObject({ code: "forbidden", status: 403, reason: "AccessDenied: Access denied" });
    const e404 = await downloadFile({ url: fileUrl("nope.bin"), dest: path.join(d, "b") }).catch((e: unknown) => e);
    expect(e404).toMatchObject({ code: "not_found", status: 404 });
    for (const e of [e403, e404]) expect((e as Error).message).not.toMatch(/Policy|Signature|Key-Pair-Id/);
  });
});
