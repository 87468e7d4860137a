import { requireUser } from "@/lib/auth/require-user";
import { SettingsClient } from "./settings-client";

export default async function SettingsPage({ searchParams }: { searchParams: Promise<{ tab?: string }> }) {
  const { user } = await requireUser();
  const { tab } = await searchParams;
  return (
    <>
      <h1>Settings</h1>
      <SettingsClient me={user} tab={tab} />
    </>
  );
}
