import type { FileHandle } from "node:fs/promises";
import path from "node:path";
import { crc32 } from "node:zlib";
import { logger } from "../log/logger";
import { ConvertError } from "./errors";

/**
 * copy_file_range(2) of one byte range between two open files, off the event loop (libuv's thread pool). Resolves
 * with the bytes copied, fewer than `length` only where the input ends; rejects with an Error whose `code` is the
 * errno name.
 */
export type CopyFileRange = (fdIn: number, offsetIn: number, fdOut: number, offsetOut: number, length: number) => Promise<number>;

/** A source range copied as it is to `outOffset`. */
export type CopyRange = { fh: FileHandle; file: string; offset: number; length: number; outOffset: number };

const ADDON = "native/copy-range/build/Release/copy_range.node";
/** Where the kernel will not copy between these files: the caller reads and writes instead. */
const REFUSED = new Set(["EXDEV", "EINVAL", "ENOSYS", "EOPNOTSUPP"]);
const BUFFER_BYTES = 1024 * 1024;
const log = logger("convert");
let loaded: { copy: CopyFileRange | null } | undefined;

/**
 * The addon's copyFileRange (built by scripts/build-native.ts on install), or null when it is not built or does not
 * load, which is logged once: conversion then takes the worker threads for every tensor. Loaded on first use with
 * `process.dlopen`, so bundlers leave it alone.
 */
export function nativeCopyFileRange(): CopyFileRange | null {
  if (!loaded) {
    const file = path.resolve(import.meta.dirname, "../..", ADDON);
    try {
      const module = { exports: {} as { copyFileRange?: CopyFileRange } };
      process.dlopen(module, file);
      if (typeof module.exports.copyFileRange !== "function") throw new Error("it has no copyFileRange export");
      loaded = { copy: module.exports.copyFileRange };
    } catch (e) {
      log.warn("unchanged tensors are copied through worker threads: the copy_file_range addon did not load (npm run postinstall builds it)", { file, error: String((e as Error).message ?? e) });
      loaded = { copy: null };
    }
  }
  return loaded.copy;
}

/** Whether `e` is the kernel refusing this pair of files, not a failure of the copy itself. */
export function isRefused(e: unknown): boolean {
  return REFUSED.has((e as NodeJS.ErrnoException).code ?? "");
}

/**
 * Copies `r` with `copy`, reading the source range alongside for its CRC-32 (the writer's checksum of every byte it
 * wrote). Where the kernel refuses it returns why, and the caller copies with `readWriteRange` instead.
 */
export async function copyRange(r: CopyRange, outFd: number, copy: CopyFileRange): Promise<{ crc: number } | { refused: Error }> {
  const [copied, crc] = await Promise.allSettled([copy(r.fh.fd, r.offset, outFd, r.outOffset, r.length), crcOfRange(r)]);
  if (copied.status === "rejected") {
    if (isRefused(copied.reason)) return { refused: copied.reason as Error };
    throw copied.reason;
  }
  if (crc.status === "rejected") throw crc.reason;
  if (copied.value !== r.length) throw truncated(r, r.offset + copied.value);
  return { crc: crc.value };
}

/** Copies `r` with positional reads and writes through a 1 MiB buffer; returns the CRC-32 of the bytes. */
export async function readWriteRange(r: CopyRange, out: FileHandle): Promise<number> {
  return eachBlock(r, async (block, done) => {
    for (let w = 0; w < block.length; ) w += (await out.write(block, w, block.length - w, r.outOffset + done + w)).bytesWritten;
  });
}

function crcOfRange(r: CopyRange): Promise<number> {
  return eachBlock(r, async () => {});
}

async function eachBlock(r: CopyRange, use: (block: Buffer, done: number) => Promise<void>): Promise<number> {
  const buffer = Buffer.allocUnsafe(Math.min(BUFFER_BYTES, r.length));
  let crc = 0;
  for (let done = 0; done < r.length; ) {
    const want = Math.min(buffer.length, r.length - done);
    const { bytesRead } = await r.fh.read(buffer, 0, want, r.offset + done);
    if (bytesRead === 0) throw truncated(r, r.offset + done);
    const block = buffer.subarray(0, bytesRead);
    crc = crc32(block, crc);
    await use(block, done);
    done += bytesRead;
  }
  return crc;
}

function truncated(r: CopyRange, at: number): ConvertError {
  return new ConvertError("invalid_tensors", `unexpected end of file at byte ${at} (truncated?)`, r.file);
}
