"use client";
import type { StoreDto } from "@/lib/stores/replicas";
import { formatBytes } from "./format";
import { usePoll } from "./use-poll";

/** "ada-1, ada-2 (offline) · 12.3 GiB free": a store named by its workers. */
export function storeLabel(s: StoreDto): string {
  const names = s.workers.length > 0 ? s.workers.map((w) => w.name).join(", ") : `store ${s.storeId}`;
  return `${names}${s.online ? "" : " (offline)"}${s.freeBytes != null ? ` · ${formatBytes(s.freeBytes)} free` : ""}`;
}

/**
 * Picks the worker model store a job is aimed at (value: its store id); "" leaves the choice to the server.
 * `only` restricts the list to those stores (say a model's holders), `exclude` leaves stores out.
 */
export function WorkerSelect({
  value,
  onChange,
  "aria-label": ariaLabel,
  only,
  exclude,
  anyLabel = "any worker",
  name,
}: {
  value: string;
  onChange: (storeId: string) => void;
  "aria-label": string;
  only?: string[];
  exclude?: string[];
  anyLabel?: string;
  name?: string;
}) {
  const { data } = usePoll<{ stores: StoreDto[] }>("/api/stores", { stores: [] }, 5000);
  let stores = data.stores;
  // A holder no worker has reported yet still gets an entry, so jobs can be aimed (and wait) there.
  if (only) stores = only.map((id) => stores.find((s) => s.storeId === id) ?? { storeId: id, workers: [], online: false, freeBytes: null });
  if (exclude) stores = stores.filter((s) => !exclude.includes(s.storeId));
  return (
    <select name={name} aria-label={ariaLabel} value={value} onChange={(e) => onChange(e.target.value)}>
      <option value="">{anyLabel}</option>
      {stores.map((s) => (
        <option key={s.storeId} value={s.storeId}>{storeLabel(s)}</option>
      ))}
      {value && !stores.some((s) => s.storeId === value) && <option value={value}>store {value}</option>}
    </select>
  );
}
