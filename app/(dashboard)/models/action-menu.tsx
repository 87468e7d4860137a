"use client";
import Link from "next/link";
import { useEffect, useId, useRef, useState, type KeyboardEvent } from "react";

export type MenuItem =
  | { label: string; href: string; download?: boolean; danger?: boolean }
  | { label: string; onSelect: () => void; danger?: boolean };

/**
 * One "Actions" button per row opening a menu (WAI-ARIA menu button): arrow keys move between items, Escape or a
 * click elsewhere closes it and gives the focus back to the button.
 */
export function ActionMenu({ label, items }: { label: string; items: MenuItem[] }) {
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const menu = useRef<HTMLDivElement>(null);
  const id = useId();
  const focusItem = (i: number) => {
    const all = [...(menu.current?.querySelectorAll<HTMLElement>('[role="menuitem"]') ?? [])];
    all[(i + all.length) % all.length]?.focus();
  };
  useEffect(() => {
    if (!open) return;
    focusItem(0);
    const outside = (e: MouseEvent) => {
      if (!menu.current?.contains(e.target as Node) && !button.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener("mousedown", outside);
    return () => document.removeEventListener("mousedown", outside);
  }, [open]);
  const close = () => (setOpen(false), button.current?.focus());
  const onKey = (e: KeyboardEvent) => {
    const all = [...(menu.current?.querySelectorAll<HTMLElement>('[role="menuitem"]') ?? [])];
    const at = all.indexOf(document.activeElement as HTMLElement);
    if (e.key === "Escape") close();
    else if (e.key === "ArrowDown") focusItem(at + 1);
    else if (e.key === "ArrowUp") focusItem(at - 1);
    else if (e.key === "Home") focusItem(0);
    else if (e.key === "End") focusItem(-1);
    else if (e.key === "Tab") setOpen(false);
    else return;
    if (e.key !== "Tab") e.preventDefault();
  };
  if (items.length === 0) return null;
  return (
    <div className="action-menu">
      <button
        ref={button}
        className="secondary"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? id : undefined}
        aria-label={label}
        onClick={() => setOpen((o) => !o)}
      >
        Actions ▾
      </button>
      {open && (
        <div ref={menu} id={id} role="menu" aria-label={label} className="menu" onKeyDown={onKey}>
          {items.map((it) =>
            "href" in it ? (
              it.download ? (
                <a key={it.label} role="menuitem" tabIndex={-1} href={it.href} download onClick={() => setOpen(false)}>{it.label}</a>
              ) : (
                <Link key={it.label} role="menuitem" tabIndex={-1} href={it.href} onClick={() => setOpen(false)}>{it.label}</Link>
              )
            ) : (
              <button key={it.label} type="button" role="menuitem" tabIndex={-1} className={it.danger ? "danger" : undefined} onClick={() => (close(), it.onSelect())}>
                {it.label}
              </button>
            ),
          )}
        </div>
      )}
    </div>
  );
}
