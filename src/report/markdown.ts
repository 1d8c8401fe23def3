/** report.md: the report as GitHub-flavoured Markdown — headings, tables and one line per verdict. */
import type { QuantrtlReport } from "./types.js";
import {
  BASELINE_KERNEL,
  cyclesLine,
  energyTable,
  comparisonNotes,
  paperSettingLines,
  kernelTable,
  layerTable,
  powerLine,
  powerTable,
  reductionTable,
  resourceTable,
  ROOFLINE_NOTE,
  rooflineTable,
  summaryTable,
  synthesisLine,
  Table,
  totalTable,
  verificationLine,
  proofLine,
  accuracyText,
} from "./tables.js";

/**
 * Text from the report as literal Markdown: the marks that act mid-line
 * (emphasis, code, links, inline HTML, entities, table pipes, GFM strikethrough
 * and math) are backslash-escaped, which CommonMark allows for any ASCII
 * punctuation; line breaks become spaces so a table row stays one line. Report
 * text never starts a line, so line-start marks (#, -, 1.) need no escape.
 */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\r\n]+/g, " ").replace(/[\\`*_[\]<>|&~$]/g, (c) => `\\${c}`);
}

/** Numbers and fixed words need no escaping, but a cell may hold report text, so every cell is escaped. */
function renderTable(t: Table): string {
  const line = (cells: readonly string[]) => `| ${cells.join(" | ")} |`;
  const rule = t.align.map((a) => (a === "right" ? "---:" : ":---"));
  return [line(t.headers.map(escapeMarkdown)), line(rule), ...t.rows.map((row) => line(row.map(escapeMarkdown)))].join("\n");
}

export function renderMarkdown(report: QuantrtlReport): string {
  const out: string[] = [];
  const para = (text: string) => out.push(text, "");
  const heading = (text: string) => para(`## ${text}`);

  para(`# quantrtl report: ${escapeMarkdown(report.model.name)}`);
  para(renderTable(summaryTable(report)));

  if (report.accuracy) {
    heading("Accuracy");
    para(escapeMarkdown(accuracyText(report.accuracy)));
  }

  heading("Verification");
  const v = report.verification;
  if (v) {
    for (const r of v.proof ?? []) para(escapeMarkdown(proofLine(r)));
    if (v.proof?.length) para(`Cycles measured on a further run (${v.vectors} vector(s), no back-pressure):`);
    para(escapeMarkdown(verificationLine(v)));
    para(escapeMarkdown(cyclesLine(v)));
  } else {
    para("not run");
  }

  heading("Performance");
  para(report.performance.layers.length > 0 ? renderTable(layerTable(report)) : "no layers");
  para(`Whole network at ${escapeMarkdown(String(report.board.clockMHz))} MHz:`);
  para(renderTable(totalTable(report)));

  heading("Resources");
  para(renderTable(resourceTable(report)));
  const synth = synthesisLine(report);
  para(synth ? escapeMarkdown(synth) : "Synthesis not run: estimates only.");

  heading("Power");
  const power = powerTable(report);
  if (power) {
    para(escapeMarkdown(powerLine(report) ?? ""));
    para(renderTable(power));
  } else {
    para("not estimated");
  }

  const energy = energyTable(report);
  if (energy) {
    heading("Energy (45 nm per-operation model)");
    para(renderTable(energy));
  }

  const roofline = rooflineTable(report);
  if (roofline) {
    heading("Roofline");
    para(ROOFLINE_NOTE);
    para(report.roofline && report.roofline.length > 0 ? renderTable(roofline) : "no points");
  }

  const c = report.comparison;
  if (c) {
    heading("Datapath comparison");
    for (const line of paperSettingLines(c)) para(line);
    para(renderTable(reductionTable(c)));
    para(Object.keys(c.kernels).length > 0 ? renderTable(kernelTable(c)) : "no kernels");
    for (const note of comparisonNotes(c)) para(note);
    if (!c.kernels[BASELINE_KERNEL]) para(`No ${BASELINE_KERNEL} kernel in the comparison, so no reductions of ours are computed.`);
  }

  if (report.boardFiles?.length) {
    heading("Board files");
    for (const b of report.boardFiles) para(`${b.what}, in \`${b.dir}/\`: ${b.files.map((f) => `\`${f}\``).join(", ")}`);
  }

  return out.join("\n").trimEnd() + "\n";
}
