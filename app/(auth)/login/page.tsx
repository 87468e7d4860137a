import { redirect } from "next/navigation";
import { ThemeToggle } from "@/components/theme-toggle";
import { db } from "@/lib/db/prisma";
import { LoginForm } from "./login-form";

export const dynamic = "force-dynamic";

export default async function LoginPage() {
  if ((await db().user.count()) === 0) redirect("/setup");
  return (
    <div className="center">
      <div className="card">
        <div className="corner">
          <ThemeToggle />
        </div>
        <h1>Sign in to llama-depot</h1>
        <LoginForm />
      </div>
    </div>
  );
}
