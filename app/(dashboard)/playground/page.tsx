import { requireUser } from "@/lib/auth/require-user";

export default async function Page() {
  await requireUser();
  return (
    <>
      <h1>Playground</h1>
      <p className="muted">Chat with a resident model here.</p>
    </>
  );
}
