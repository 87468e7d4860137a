import "server-only";
import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import { cache } from "react";
import { authenticate, type Principal } from "./authenticate";
import { roleAtLeast, type Role } from "./roles";

/** For server components: the signed-in principal (cached per request), or a redirect to /login. */
export const requireUser = cache(async (): Promise<Principal> => {
  const h = new Headers(await headers());
  h.set("cookie", (await cookies()).toString());
  const principal = await authenticate(h);
  if (!principal) redirect("/login");
  return principal;
});

/** Pages for one role (e.g. admin settings) send others to the overview rather than showing a broken page. */
export async function requireRole(min: Role): Promise<Principal> {
  const principal = await requireUser();
  if (!roleAtLeast(principal.user.role, min)) redirect("/?forbidden=1");
  return principal;
}
