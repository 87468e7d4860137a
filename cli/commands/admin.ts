import type { Command } from "commander";
import { deploy } from "../../scripts/db";
import { config } from "../../lib/config/env";
import { closeDb } from "../../lib/db/prisma";
import { createUser } from "../../lib/users/create-user";
import { recordAudit } from "../../lib/audit/record-audit";

/** `depot admin create`: works on the database directly, so the first admin exists before the server runs. */
export function register(program: Command): void {
  const admin = program.command("admin").description("manage administrators");
  admin
    .command("create")
    .description("create an administrator account")
    .requiredOption("--email <email>", "login email")
    .requiredOption("--password <password>", "password (8+ characters)")
    .option("--name <name>", "display name", "Administrator")
    .action(async (opts: { email: string; password: string; name: string }) => {
      deploy(config().databaseUrl);
      try {
        const user = await createUser({ email: opts.email, password: opts.password, name: opts.name, role: "admin" });
        await recordAudit({ actor: null, action: "user.create_admin_cli", target: user.email });
        console.log(`created administrator ${user.email}`);
      } finally {
        await closeDb();
      }
    });
}
