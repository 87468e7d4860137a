/** viewer reads; member downloads, converts, runs; admin manages users, credentials, API keys and deletes. */
export const ROLES = ["viewer", "member", "admin"] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

export function roleAtLeast(role: string, min: Role): boolean {
  return isRole(role) && ROLES.indexOf(role) >= ROLES.indexOf(min);
}
