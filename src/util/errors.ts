/**
 * The two kinds of failure quantrtl reports (docs/design.md "Errors"):
 * - QuantrtlError: the user's input is wrong (exit code 1). Carries the file,
 *   the JSON pointer or parameter name, what is wrong and what would be valid.
 * - ToolError: an external tool is missing or failed (exit code 2). Carries the
 *   command line and the tail of its output.
 */
export class QuantrtlError extends Error {
  readonly kind = "input" as const;
  constructor(
    readonly file: string | undefined,
    readonly path: string,
    readonly problem: string,
    readonly hint: string,
  ) {
    super(formatInputError(file, path, problem, hint));
    this.name = "QuantrtlError";
  }
}

export class ToolError extends Error {
  readonly kind = "tool" as const;
  constructor(
    readonly tool: string,
    readonly problem: string,
    readonly command?: string,
    readonly outputTail?: string,
  ) {
    super(formatToolError(tool, problem, command, outputTail));
    this.name = "ToolError";
  }
}

function formatInputError(file: string | undefined, path: string, problem: string, hint: string): string {
  const where = [file, path].filter((s) => s !== undefined && s !== "").join(" ");
  return `${where ? where + ": " : ""}${problem}${hint ? `\n  hint: ${hint}` : ""}`;
}

function formatToolError(tool: string, problem: string, command?: string, outputTail?: string): string {
  let text = `${tool}: ${problem}`;
  if (command) text += `\n  command: ${command}`;
  if (outputTail) text += `\n  output (tail):\n${indent(outputTail.trimEnd(), "    ")}`;
  return text;
}

function indent(text: string, prefix: string): string {
  return text
    .split("\n")
    .map((line) => prefix + line)
    .join("\n");
}

/** Keeps the last `lines` lines of a tool's output for an error message. */
export function tail(text: string, lines = 20): string {
  const all = text.trimEnd().split("\n");
  return all.slice(Math.max(0, all.length - lines)).join("\n");
}
