import { requireUser } from "@/lib/auth/require-user";

export default async function Page() {
  await requireUser();
  return (
    <>
      <h1>Runs</h1>
      <p className="muted">Batch prompt runs appear here.</p>
    </>
  );
}
