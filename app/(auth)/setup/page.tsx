import { notFound } from "next/navigation";
import { ThemeToggle } from "@/components/theme-toggle";
import { db } from "@/lib/db/prisma";
import { SetupForm } from "./setup-form";

export const dynamic = "force-dynamic";

/** Exists only while no user exists. */
export default async function SetupPage() {
  if ((await db().user.count()) > 0) notFound();
  return (
    <div className="center">
      <div className="card">
        <div className="corner">
          <ThemeToggle />
        </div>
        <h1>Create the first administrator</h1>
        <p className="muted">This page disappears once an account exists.</p>
        <SetupForm />
      </div>
    </div>
  );
}
