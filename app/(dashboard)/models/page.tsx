import { requireUser } from "@/lib/auth/require-user";

export default async function Page() {
  await requireUser();
  return (
    <>
      <h1>Models</h1>
      <p className="muted">The inventory of downloaded and converted models appears here.</p>
    </>
  );
}
