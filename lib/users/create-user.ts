import { z } from "zod";
import { hashPassword } from "../auth/password";
import { newPassword, passwordFromEmail } from "../auth/password-policy";
import { ROLES } from "../auth/roles";
import { db } from "../db/prisma";
import { UserError } from "./errors";

export const newUserInput = z
  .object({
    email: z.string().trim().toLowerCase().email(),
    name: z.string().trim().min(1).max(100),
    password: newPassword,
    role: z.enum(ROLES).default("member"),
  })
  .superRefine((u, ctx) => {
    const problem = passwordFromEmail(u.password, u.email);
    if (problem) ctx.addIssue({ code: "custom", path: ["password"], message: problem });
  });
export type NewUserInput = z.input<typeof newUserInput>;

export type UserDto = { id: string; email: string; name: string; role: string; disabled: boolean; createdAt: string };

export function toUserDto(u: { id: string; email: string; name: string; role: string; disabled: boolean; createdAt: Date }): UserDto {
  return { id: u.id, email: u.email, name: u.name, role: u.role, disabled: u.disabled, createdAt: u.createdAt.toISOString() };
}

export async function createUser(input: NewUserInput): Promise<UserDto> {
  const data = newUserInput.parse(input);
  if (await db().user.findUnique({ where: { email: data.email } })) {
    throw new UserError("exists", `a user with email ${data.email} already exists`);
  }
  const user = await db().user.create({
    data: { email: data.email, name: data.name, role: data.role, passwordHash: await hashPassword(data.password) },
  });
  return toUserDto(user);
}

/** First-admin setup: only while no user exists. A unique-email race still leaves exactly one admin. */
export async function createFirstAdmin(input: Omit<NewUserInput, "role">): Promise<UserDto> {
  if ((await db().user.count()) > 0) throw new UserError("setup_done", "setup is finished: an administrator already exists");
  return createUser({ ...input, role: "admin" });
}
