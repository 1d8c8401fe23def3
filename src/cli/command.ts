/**
 * One definition per command (its usage lines, model argument, flags and action)
 * and the commander program built from them: parsing (`--pe 2`, `--pe=2`),
 * per-command help, did-you-mean on a mistyped command or flag, --version.
 * commander's errors become one-line QuantrtlErrors (exit 1) that name the flag.
 */
import { Command, CommanderError, Option } from "commander";
import { QuantrtlError } from "../util/errors.js";
import type { Args, FlagSpec } from "./args.js";

export interface CommandSpec {
  readonly name: string;
  /** The usage lines of the command (`  quantrtl <name> ...` and their indented continuation lines). */
  readonly usage: string;
  /** Whether the command takes a model file (at most one positional argument) or none. */
  readonly takesModel: boolean;
  /** Positional arguments allowed when more than the model (`board run <model>`: 2). */
  readonly maxPositional?: number;
  readonly flags: readonly FlagSpec[];
  readonly run: (args: Args) => number | Promise<number>;
}

/** The overall help text and the notes that follow every command's own usage lines. */
export interface HelpText {
  readonly header: string;
  readonly notes: string;
}

/** `--json=maybe` and friends: a switch's inline value is true or false, anything else is refused. */
function switchValues(spec: CommandSpec, argv: readonly string[]): string[] {
  const switches = new Set(spec.flags.filter((f) => f.arg === undefined).map((f) => f.name));
  const out: string[] = [];
  for (const a of argv) {
    const m = /^--([^=]+)=(.*)$/.exec(a);
    if (!m || !switches.has(m[1])) {
      out.push(a);
      continue;
    }
    const [, name, inline] = m;
    if (inline === "true") out.push(`--${name}`);
    // --json=false is off, as a reader of it expects: earlier --json are dropped, the last one wins
    else if (inline === "false") out.splice(0, out.length, ...out.filter((x) => x !== `--${name}`));
    else throw new QuantrtlError(undefined, `--${name}`, `"${inline}" is not a valid value`, `write --${name} (on), --${name}=true or --${name}=false`);
  }
  return out;
}

const suggestion = (message: string): string | undefined => /\(Did you mean (?:one of )?(.+)\?\)/.exec(message)?.[1];

/** commander reports through Command.error(); each error becomes our one-line input error naming the flag. */
class QuantrtlCommand extends Command {
  override createCommand(name?: string): Command {
    return new QuantrtlCommand(name);
  }

  override error(message: string, options?: { code?: string; exitCode?: number }): never {
    const code = options?.code ?? "";
    const guess = suggestion(message);
    const didYouMean = guess ? `did you mean ${guess}? ` : "";
    if (code === "commander.unknownCommand") {
      const name = /unknown command '([^']*)'/.exec(message)?.[1] ?? "";
      const names = this.createHelp()
        .visibleCommands(this)
        .map((c) => c.name())
        .filter((n) => n !== "help");
      throw new QuantrtlError(
        undefined,
        name,
        "is not a command",
        `${didYouMean}use ${names.slice(0, -1).join(", ")} or ${names[names.length - 1]} (quantrtl --help)`,
      );
    }
    if (code === "commander.unknownOption") {
      const name = (/unknown option '([^']*)'/.exec(message)?.[1] ?? "").split("=")[0];
      const options = this.options.filter((o) => !o.hidden && o.long).map((o) => o.long);
      throw new QuantrtlError(undefined, name, `is not an option of "${this.name()}"`, `${didYouMean}options: ${options.join(" ") || "none"}`);
    }
    if (code === "commander.optionMissingArgument") {
      const name = /option '(--[\w-]+)/.exec(message)?.[1] ?? "";
      throw new QuantrtlError(undefined, name, "needs a value", `write ${name} <value>`);
    }
    throw new QuantrtlError(undefined, "", message.replace(/^error: /, "").split("\n")[0], `quantrtl ${this.parent ? `${this.name()} ` : ""}--help`);
  }
}

/** Adds one command to the program: its flags, its help (the usage lines and the notes), its action. */
function addCommand(program: Command, spec: CommandSpec, help: HelpText, result: { code: number }): void {
  const cmd = program.command(spec.name).allowExcessArguments(true);
  if (spec.takesModel) cmd.argument("[model]");
  const flags = new Map<string, string | true>();
  for (const f of spec.flags) {
    const option = new Option(f.arg === undefined ? `--${f.name}` : `--${f.name} <${f.arg}>`);
    // a value that is the next flag (`--out --vectors 2`) is a missing value, not a folder named --vectors
    if (f.arg !== undefined)
      option.argParser((v: string) => {
        if (v.startsWith("--")) throw new QuantrtlError(undefined, `--${f.name}`, "needs a value", `write --${f.name} <value>`);
        return v;
      });
    cmd.addOption(option);
    // the flags in the order given, the last one winning (--synth and --no-synth are two flags, not one negated)
    cmd.on(`option:${f.name}`, (v: string | undefined) => flags.set(f.name, v ?? true));
  }
  cmd.helpInformation = () => `${commandUsage(spec, help)}\n`;
  cmd.action(async (..._ignored: unknown[]) => {
    const positional = [...cmd.args];
    const max = spec.maxPositional ?? (spec.takesModel ? 1 : 0);
    if (positional.length > max) {
      throw new QuantrtlError(
        undefined,
        positional[max],
        "is an unexpected argument",
        spec.takesModel ? `${spec.name} takes one model file` : `${spec.name} takes no model`,
      );
    }
    result.code = await spec.run({ command: spec.name, positional, flags });
  });
}

/** The usage lines of one command and the common notes. */
export function commandUsage(spec: CommandSpec, help: HelpText): string {
  return ["usage:", spec.usage, "", help.notes].join("\n");
}

/** The whole help: every command's usage lines, then the notes. */
export function fullUsage(specs: readonly CommandSpec[], help: HelpText): string {
  return [help.header, "", "usage:", ...specs.map((s) => s.usage), "", help.notes].join("\n");
}

/** Parses argv and runs the command it names; returns its exit code (commander's help and --version: 0). */
export async function runProgram(specs: readonly CommandSpec[], help: HelpText, version: string, argv: readonly string[]): Promise<number> {
  const program = new QuantrtlCommand("quantrtl");
  program
    .version(version, "-V, --version")
    .exitOverride()
    .configureOutput({ writeOut: (s) => process.stdout.write(s), writeErr: (s) => process.stderr.write(s), outputError: () => undefined });
  program.helpInformation = () => `${fullUsage(specs, help)}\n`;
  const result = { code: 0 };
  for (const spec of specs) addCommand(program, spec, help, result);
  const spec = specs.find((s) => s.name === argv[0]);
  try {
    await program.parseAsync(spec ? [argv[0], ...switchValues(spec, argv.slice(1))] : [...argv], { from: "user" });
  } catch (err) {
    // help and --version end in a CommanderError with exit code 0: they printed what was asked
    if (err instanceof CommanderError) {
      if (err.exitCode === 0) return 0;
      throw new QuantrtlError(undefined, "", err.message.replace(/^error: /, "").split("\n")[0], "quantrtl --help");
    }
    throw err;
  }
  return result.code;
}
