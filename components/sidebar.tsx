"use client";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { useState } from "react";
import { api } from "./api";
import { ThemeToggle } from "./theme-toggle";

const LINKS = [
  ["/", "Overview"],
  ["/models", "Models"],
  ["/downloads", "Downloads"],
  ["/jobs", "Jobs"],
  ["/runs", "Runs"],
  ["/playground", "Playground"],
  ["/settings", "Settings"],
] as const;
const ADMIN_LINKS = [["/audit", "Audit log"]] as const;

/** The navigation: a sidebar, or under 800px a top bar whose menu button opens the links. */
export function Sidebar({ email, role }: { email: string; role: string }) {
  const path = usePathname();
  const [open, setOpen] = useState(false);
  const logout = async () => {
    await api("/api/auth/logout", { method: "POST", body: {} });
    window.location.href = "/login";
  };
  return (
    <nav className="sidebar" data-open={open} aria-label="main">
      <div className="bar">
        <div className="brand">llama-depot</div>
        <ThemeToggle />
        <button
          type="button"
          className="icon menu-button"
          aria-expanded={open}
          aria-controls="nav-links"
          aria-label="Menu"
          onClick={() => setOpen(!open)}
        >
          ☰
        </button>
      </div>
      <div className="links" id="nav-links">
        {[...LINKS, ...(role === "admin" ? ADMIN_LINKS : [])].map(([href, label]) => (
          // A followed link closes the menu, so the new page is not hidden behind it.
          <Link key={href} href={href} onClick={() => setOpen(false)} className={(href === "/" ? path === "/" : path.startsWith(href)) ? "active" : ""}>
            {label}
          </Link>
        ))}
        <div className="who">
          <div>{email}</div>
          <div>{role}</div>
          <button className="secondary" style={{ marginTop: 8 }} onClick={logout}>
            Sign out
          </button>
        </div>
      </div>
    </nav>
  );
}
