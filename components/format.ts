export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n <= 0) return "0 B";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  // Below 1 byte the log is negative: clamp to bytes (a chart's empty axis asks for a fraction of a byte).
  const i = Math.max(0, Math.min(units.length - 1, Math.floor(Math.log(n) / Math.log(1024))));
  return `${(n / 1024 ** i).toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

export function formatDuration(seconds: number | null | undefined): string {
  if (seconds == null || !Number.isFinite(seconds)) return "–";
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
}

/**
 * A date and time (or the time only). The server render and the browser's hydration must produce the same text, and
 * neither knows the other's locale and time zone: `local: false` (what they both render) is a fixed format in UTC,
 * `local: true` (after hydration, see components/local-time.tsx) is the browser's own locale and zone.
 */
export function formatDateTime(value: string | number | Date, { local, timeOnly = false }: { local: boolean; timeOnly?: boolean }): string {
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return "–";
  const opts: Intl.DateTimeFormatOptions = timeOnly
    ? { hour: "2-digit", minute: "2-digit", second: "2-digit" }
    : { year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" };
  if (local) return d.toLocaleString(undefined, opts);
  return `${d.toLocaleString("en-GB", { ...opts, timeZone: "UTC" })} UTC`;
}
