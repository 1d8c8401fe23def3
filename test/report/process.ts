/** Child processes for the report tests: the project's own non-blocking runner (src/verify/tools.ts), with a failure description. */
import { run as runTool } from "../../src/util/process.js";

export interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export async function run(command: string, args: readonly string[], options: { cwd?: string; timeoutMs: number }): Promise<Run> {
  const r = await runTool(command, args, options);
  return { status: r.code, stdout: r.stdout, stderr: r.stderr };
}

/** The command line and the tail of its output, for a failure message. */
export function describeRun(command: string, args: readonly string[], r: Run): string {
  const tailOf = (text: string) => text.trimEnd().split("\n").slice(-25).join("\n");
  return `${command} ${args.join(" ")}\nexit ${r.status}\n--- stderr (tail) ---\n${tailOf(r.stderr)}\n--- stdout (tail) ---\n${tailOf(r.stdout)}`;
}
