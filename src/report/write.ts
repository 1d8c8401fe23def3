/**
 * Writes report.json, report.md and report.html together: the three files are
 * built in a temporary sibling folder and renamed into place, so a reader never
 * sees a half-written report or a mix of two runs.
 */
import { join } from "node:path";
import { stageDir, writeFiles } from "../util/atomic.js";
import type { OutputOptions } from "../util/output.js";
import { renderHtml } from "./html.js";
import { renderMarkdown } from "./markdown.js";
import type { QuantrtlReport } from "./types.js";

export interface ReportPaths {
  readonly dir: string;
  readonly json: string;
  readonly markdown: string;
  readonly html: string;
}

/** The three files' names and contents (pure; writeReport puts them on disk). */
export function renderReportFiles(report: QuantrtlReport): { path: string; content: string }[] {
  return [
    { path: "report.json", content: JSON.stringify(report, null, 2) + "\n" },
    { path: "report.md", content: renderMarkdown(report) },
    { path: "report.html", content: renderHtml(report) },
  ];
}

/** A folder holding only these (and no marker) is a report written before output folders carried one. */
export const REPORT_FILES = ["report.json", "report.md", "report.html"];

/**
 * Replaces `dir` with a folder holding the three report files; returns their
 * absolute paths. The rename replaces the whole folder, so a folder that holds
 * anything quantrtl did not write (a design, the user's files) is refused, not
 * wiped, unless options.force (util/output.ts).
 */
export function writeReport(dir: string, report: QuantrtlReport, options: OutputOptions = {}): ReportPaths {
  const files = renderReportFiles(report);
  const staged = stageDir(dir, { knownFiles: REPORT_FILES, ...options, owner: { model: report.model.name, modelHash: report.model.hash } });
  let dest: string;
  try {
    writeFiles(staged.path, files);
    dest = staged.commit();
  } catch (error) {
    staged.discard();
    throw staged.explain(error);
  }
  return { dir: dest, json: join(dest, "report.json"), markdown: join(dest, "report.md"), html: join(dest, "report.html") };
}
