import { existsSync } from "node:fs";
import type { FileHandle } from "node:fs/promises";
import path from "node:path";
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
 * `process.dlopen`, so bundlers leave it alone; looked for beside this module's checkout, else under the working
 * directory (code bundled elsewhere, e.g. bench/convert's child, runs from the checkout).
 */
export function nativeCopyFileRange(): CopyFileRange | null {
  if (!loaded) {
    const candidates = [path.resolve(import.meta.dirname, "../..", ADDON), path.resolve(ADDON)];
    const file = candidates.find((f) => existsSync(f)) ?? candidates[0]!;
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
 * Copies `r` with `copy`. Where the kernel refuses it returns why, and the caller copies with `readWriteRange` instead.
 */
export async function copyRange(r: CopyRange, outFd: number, copy: CopyFileRange): Promise<{ refused: Error } | null> {
  try {
    const copied = await copy(r.fh.fd, r.offset, outFd, r.outOffset, r.length);
    if (copied !== r.length) throw truncated(r, r.offset + copied);
    return null;
  } catch (e) {
    if (isRefused(e)) return { refused: e as Error };
    throw e;
  }
}

/** Copies `r` to `out` with positional reads and writes through a 1 MiB buffer. */
export async function readWriteRange(r: CopyRange, out: FileHandle): Promise<void> {
  const buffer = Buffer.allocUnsafe(Math.min(BUFFER_BYTES, r.length));
  for (let done = 0; done < r.length; ) {
    const { bytesRead } = await r.fh.read(buffer, 0, Math.min(buffer.length, r.length - done), r.offset + done);
    if (bytesRead === 0) throw truncated(r, r.offset + done);
    for (let w = 0; w < bytesRead; ) w += (await out.write(buffer, w, bytesRead - w, r.outOffset + done + w)).bytesWritten;
    done += bytesRead;
  }
}

function truncated(r: CopyRange, at: number): ConvertError {
  return new ConvertError("invalid_tensors", `unexpected end of file at byte ${at} (truncated?)`, r.file);
}
