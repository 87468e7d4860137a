// `depot`: one commander program; each command lives in its own module under cli/commands and only parses
// arguments before handing the work to lib (directly, or through the server's API).
import { Command } from "commander";
import { register as admin } from "./commands/admin";
import { register as models } from "./commands/models";
import { register as pull } from "./commands/pull";
import { register as rm } from "./commands/rm";
import { register as status } from "./commands/status";
import { register as verify } from "./commands/verify";

const program = new Command("depot").description("llama-depot: download, verify, convert and run Llama models").showHelpAfterError();
for (const register of [admin, status, pull, models, rm, verify]) register(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  console.error(`depot: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
