import type { ReactNode } from "react";
import { FeedbackProvider } from "@/components/feedback";
import { Sidebar } from "@/components/sidebar";
import { requireUser } from "@/lib/auth/require-user";

export const dynamic = "force-dynamic";

export default async function DashboardLayout({ children }: { children: ReactNode }) {
  const { user } = await requireUser();
  return (
    <FeedbackProvider>
      <div className="shell">
        <Sidebar email={user.email} role={user.role} />
        <main>{children}</main>
      </div>
    </FeedbackProvider>
  );
}
