import { requireUser } from "@/lib/auth/require-user";

export default async function Page() {
  await requireUser();
  return (
    <>
      <h1>Downloads</h1>
      <p className="muted">Downloads from Meta signed URLs and the Hugging Face Hub appear here.</p>
    </>
  );
}
