import { requireUser } from "@/lib/auth/require-user";
import { SettingsClient } from "./settings-client";

export default async function SettingsPage() {
  const { user } = await requireUser();
  return (
    <>
      <h1>Settings</h1>
      <SettingsClient me={user} />
    </>
  );
}
