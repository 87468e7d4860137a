"use client";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { api } from "./api";

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

export function Sidebar({ email, role }: { email: string; role: string }) {
  const path = usePathname();
  const logout = async () => {
    await api("/api/auth/logout", { method: "POST", body: {} });
    window.location.href = "/login";
  };
  return (
    <nav className="sidebar">
      <div className="brand">llama-depot</div>
      {[...LINKS, ...(role === "admin" ? ADMIN_LINKS : [])].map(([href, label]) => (
        <Link key={href} href={href} className={(href === "/" ? path === "/" : path.startsWith(href)) ? "active" : ""}>
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
    </nav>
  );
}
