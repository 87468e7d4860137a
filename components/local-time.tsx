"use client";
import { useSyncExternalStore } from "react";
import { formatDateTime } from "./format";

const never = () => () => {};

/** False on the server and while hydrating, true afterwards: render browser-only text (local times) behind it. */
export function useHydrated(): boolean {
  return useSyncExternalStore(never, () => true, () => false);
}

/** A timestamp in the reader's locale and time zone, without a hydration mismatch (UTC until hydrated). */
export function LocalTime({ at, timeOnly }: { at: string | number | Date; timeOnly?: boolean }) {
  const local = useHydrated();
  const d = new Date(at);
  return <time dateTime={Number.isNaN(d.getTime()) ? undefined : d.toISOString()}>{formatDateTime(d, { local, timeOnly })}</time>;
}
