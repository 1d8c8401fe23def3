/** The report writers: typed report in, report.json / report.md / report.html out. */
export type * from "./types.js";
export { ADDERNET_PUBLISHED } from "./types.js";
export { renderMarkdown, escapeMarkdown } from "./markdown.js";
export { renderHtml } from "./html.js";
export { computeReductions } from "./tables.js";
export type { Reduction } from "./tables.js";
export { writeReport, renderReportFiles } from "./write.js";
export type { ReportPaths } from "./write.js";
