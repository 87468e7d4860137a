// `depot`: one commander program; each command lives in its own module under cli/commands and only parses
// arguments before handing the work to lib (directly, or through the server's API).
import { Command } from "commander";
import { ZodError } from "zod";
import { describeZodError } from "../lib/errors";
import { cliErrorMessage } from "./local-folder";
import { register as admin } from "./commands/admin";
import { register as convert } from "./commands/convert";
import { register as generate } from "./commands/generate";
import { register as inspect } from "./commands/inspect";
import { register as models } from "./commands/models";
import { register as pull } from "./commands/pull";
import { register as quantize } from "./commands/quantize";
import { register as rm } from "./commands/rm";
import { register as run } from "./commands/run";
import { register as status } from "./commands/status";
import { register as upload } from "./commands/upload";
import { register as verify } from "./commands/verify";

const program = new Command("depot").description("llama-depot: download, verify, convert and run Llama models").showHelpAfterError();
for (const register of [admin, status, pull, upload, models, rm, verify, convert, quantize, inspect, generate, run]) register(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  const message = err instanceof ZodError ? describeZodError(err) : err instanceof Error ? cliErrorMessage(err) : String(err);
  console.error(`depot: ${message}`);
  process.exit(1);
});
