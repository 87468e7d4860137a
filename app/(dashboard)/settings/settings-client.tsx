"use client";
import { useState, type KeyboardEvent } from "react";
import { usePoll } from "@/components/use-poll";
import type { UserDto } from "@/lib/users/create-user";
import { ApiKeysPanel } from "./api-keys-panel";
import { CredentialsPanel } from "./credentials-panel";
import { GroupsPanel } from "./groups-panel";
import { MaintenancePanel } from "./maintenance-panel";
import { UsersPanel } from "./users-panel";

type Me = { id: string; email: string; role: string };
const TABS = [
  { id: "users", label: "Users", admin: true },
  { id: "groups", label: "Groups", admin: true },
  { id: "api-keys", label: "API keys", admin: false },
  { id: "credentials", label: "Credentials", admin: true },
  { id: "maintenance", label: "Maintenance", admin: true },
] as const;
type TabId = (typeof TABS)[number]["id"];

/** The panels only admins see; they share one user list, so a user created on Users is a group candidate at once. */
function AdminPanel({ tab }: { tab: TabId }) {
  const { data, refresh } = usePoll<{ users: UserDto[] }>("/api/users", { users: [] }, 10_000);
  if (tab === "users") return <UsersPanel users={data.users} refresh={refresh} />;
  if (tab === "groups") return <GroupsPanel users={data.users} />;
  if (tab === "credentials") return <CredentialsPanel />;
  if (tab === "maintenance") return <MaintenancePanel />;
  return <ApiKeysPanel />;
}

export function SettingsClient({ me, tab }: { me: Me; tab?: string }) {
  const admin = me.role === "admin";
  const tabs = TABS.filter((t) => admin || !t.admin);
  const [active, setActive] = useState<TabId>(tabs.find((t) => t.id === tab)?.id ?? tabs[0]!.id);
  const select = (id: TabId) => {
    setActive(id);
    // The tab is in the address, so a reload or a shared link opens the same panel.
    window.history.replaceState(null, "", `?tab=${id}`);
  };
  // Arrow keys move between tabs (the WAI-ARIA tabs pattern).
  const onKey = (e: KeyboardEvent) => {
    const step = e.key === "ArrowRight" ? 1 : e.key === "ArrowLeft" ? -1 : 0;
    if (!step) return;
    const next = tabs[(tabs.findIndex((t) => t.id === active) + step + tabs.length) % tabs.length]!;
    select(next.id);
    document.getElementById(`tab-${next.id}`)?.focus();
  };
  return (
    <>
      <p className="muted">Signed in as {me.email} ({me.role}).</p>
      <div className="tabs" role="tablist" aria-label="Settings" onKeyDown={onKey}>
        {tabs.map((t) => (
          <button
            key={t.id}
            type="button"
            role="tab"
            id={`tab-${t.id}`}
            aria-selected={active === t.id}
            aria-controls={`panel-${t.id}`}
            tabIndex={active === t.id ? 0 : -1}
            onClick={() => select(t.id)}
          >
            {t.label}
          </button>
        ))}
      </div>
      <section role="tabpanel" id={`panel-${active}`} aria-labelledby={`tab-${active}`} data-testid={`panel-${active}`}>
        {admin ? <AdminPanel tab={active} /> : <ApiKeysPanel />}
      </section>
    </>
  );
}
