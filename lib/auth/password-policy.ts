import { z } from "zod";
import { MIN_PASSWORD_LENGTH } from "./password";

// Passwords of 8+ characters that top public breach-frequency rankings (NCSC "100k most used", the xato.net
// 10-million list, SplashData yearly lists), written down by hand, lower-case. Compared case-insensitively after
// stripping trailing digits/punctuation, so "Password1!" and "qwerty123" are caught too. A short list on purpose:
// the trivial-pattern checks below catch the long tail of sequences and repeats.
const COMMON = new Set(
  `password passw0rd p@ssword p@ssw0rd iloveyou princess sunshine football baseball basketball superman batman
  trustno1 welcome welcome1 letmein abc123 qwerty qwertyuiop qwertyui asdfghjk asdfghjkl zxcvbnm zxcvbnm1 1q2w3e4r
  1q2w3e4r5t q1w2e3r4 q1w2e3r4t5 1qaz2wsx qazwsx qazwsxedc zaq12wsx admin administrator changeme changeit
  default secret master monkey dragon shadow michael jennifer jordan23 starwars computer internet whatever
  freedom mustang charlie liverpool chelsea arsenal manchester samsung iloveyou1 lovely loveme baby123 mylove
  babygirl butterfly elephant chocolate cookie cheese pokemon minecraft fortnite naruto hello123 helloworld
  hellokitty blink182 metallica nirvana slipknot eminem spiderman ironman pepper ginger hunter hunter2 killer
  matrix soccer hockey tigger summer winter spring autumn august september october november december january
  february sandiego newyork london paris berlin michelle jessica ashley nicole daniel anthony thomas robert
  william richard charles joseph matthew andrew joshua christopher jonathan benjamin alexander victoria
  elizabeth samantha stephanie jasmine angel angels flower flowers purple orange yellow silver golden diamond
  rainbow unicorn jesus christ blessed heaven forever family friends friendship estrellita tequiero teamo
  bonjour azerty azertyuiop motdepasse passwort hallo123 ichliebedich qwertz qwertzuiop 
  database postgres mysql oracle root toor raspberry ubuntu letmein1 access master123 login guest guest123
  server security password123 passwordpassword superstar rockstar gangster money money123 cashmoney
  whatever1 nothing nopassword thisisit trustme welcome123 adminadmin administrator1 llama llamadepot depot`
    .split(/\s+/)
    .filter(Boolean),
);

const SEQUENCES = ["abcdefghijklmnopqrstuvwxyz", "01234567890", "qwertyuiopasdfghjklzxcvbnm", "1qaz2wsx3edc4rfv5tgb"];

/** Why `password` may not be set, or null when it is acceptable. */
export function passwordProblem(password: string): string | null {
  if (password.length < MIN_PASSWORD_LENGTH) return `at least ${MIN_PASSWORD_LENGTH} characters`;
  const p = password.toLowerCase();
  if (p.trim() === "") return "the password must not be only spaces";
  const core = p.replace(/[\d\W_]+$/u, "");
  if (COMMON.has(p) || COMMON.has(core)) return "this password is on a list of commonly used passwords";
  if (new Set(p).size <= 2) return "the password repeats one or two characters";
  const reversed = [...p].reverse().join("");
  if (SEQUENCES.some((s) => s.includes(p) || s.includes(reversed) || s.repeat(2).includes(p))) {
    return "the password is a keyboard or alphabet sequence";
  }
  return null;
}

/** A password built from the account's email (its local part), checked where the email is known. */
export function passwordFromEmail(password: string, email: string): string | null {
  const p = password.toLowerCase();
  const local = email.split("@")[0]?.toLowerCase() ?? "";
  const core = p.replace(/[\d\W_]+$/u, "");
  return local.length >= 3 && (p.includes(local) || (core.length >= 4 && local.includes(core))) ? "the password must not contain the email address" : null;
}

/** The zod schema of a password to be set (new user, first admin, password change). */
export const newPassword = z
  .string()
  .max(200)
  .superRefine((password, ctx) => {
    const problem = passwordProblem(password);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });
