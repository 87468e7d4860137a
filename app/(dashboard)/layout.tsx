import type { ReactNode } from "react";
import { Sidebar } from "@/components/sidebar";
import { requireUser } from "@/lib/auth/require-user";

export const dynamic = "force-dynamic";

export default async function DashboardLayout({ children }: { children: ReactNode }) {
  const { user } = await requireUser();
  return (
    <div className="shell">
      <Sidebar email={user.email} role={user.role} />
      <main>{children}</main>
    </div>
  );
}
