/**
 * Writes report.json, report.md and report.html together: the three files are
 * built in a temporary sibling folder and renamed into place, so a reader never
 * sees a half-written report or a mix of two runs.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { stageDir, writeFiles } from "../util/atomic.js";
import { QuantrtlError } from "../util/errors.js";
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

const REPORT_FILES = new Set(["report.json", "report.md", "report.html"]);

/**
 * Replaces `dir` with a folder holding exactly the three report files; returns
 * their absolute paths. The rename replaces the whole folder, so a folder that
 * holds anything else (a design, a previous run's RTL) is refused, not wiped.
 */
export function writeReport(dir: string, report: QuantrtlReport): ReportPaths {
  const target = resolve(dir);
  if (existsSync(target)) {
    if (!statSync(target).isDirectory()) throw new QuantrtlError(undefined, "dir", `${target} is a file, not a folder`, "give a folder for the report");
    const others = readdirSync(target).filter((name) => !REPORT_FILES.has(name));
    if (others.length > 0) {
      throw new QuantrtlError(undefined, "dir", `${target} holds other files (${others.slice(0, 3).join(", ")}${others.length > 3 ? ", …" : ""}) and writing the report replaces the whole folder`, `give a folder of its own, e.g. ${join(target, "report")}`);
    }
  }
  const files = renderReportFiles(report);
  const staged = stageDir(target);
  let dest: string;
  try {
    writeFiles(staged.path, files);
    dest = staged.commit();
  } catch (error) {
    staged.discard();
    throw error;
  }
  return { dir: dest, json: join(dest, "report.json"), markdown: join(dest, "report.md"), html: join(dest, "report.html") };
}
