/**
 * Renders report.html in a real headless Chromium: the page must load from a
 * file:// URL with nothing fetched and its SVG charts must reach the DOM. A
 * missing Chromium is installed by scripts/install-chromium.sh; if that fails
 * the suite fails (never skips), so CI cannot pass without the render.
 */
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeReport } from "../../src/report/write.js";
import { fullReport, hostileReport } from "./fixtures.js";
import { describeRun, run } from "./process.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
const CHART_IDS = ["cycles", "resources", "power", "roofline", "comparison"];
const INSTALL_TIMEOUT_MS = 900_000;
const CHROMIUM_TIMEOUT_MS = 120_000;

/** Flags for a quiet, offline, throw-away browser (fresh profile each run). */
function chromiumArgs(profile: string): string[] {
  return [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    `--user-data-dir=${profile}`,
  ];
}

async function chromium(args: string[]): Promise<string> {
  const result = await run("chromium", args, { timeoutMs: CHROMIUM_TIMEOUT_MS });
  if (result.status !== 0) throw new Error(`chromium failed:\n${describeRun("chromium", args, result)}`);
  return result.stdout;
}

describe("report.html in headless Chromium", () => {
  let work: string;

  beforeAll(async () => {
    const script = join(ROOT, "scripts/install-chromium.sh");
    const install = await run("bash", [script], { cwd: ROOT, timeoutMs: INSTALL_TIMEOUT_MS });
    if (install.status !== 0) throw new Error(`cannot get chromium, so the HTML report cannot be rendered:\n${describeRun("bash", [script], install)}`);
    work = mkdtempSync(join(tmpdir(), "quantrtl-report-chromium-"));
  }, INSTALL_TIMEOUT_MS + 60_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it("dumps a DOM holding every chart, the verdict and the escaped model name", async () => {
    const paths = writeReport(join(work, "hostile"), hostileReport());
    const dom = await chromium([...chromiumArgs(mkdtempSync(join(work, "profile-"))), "--dump-dom", `file://${paths.html}`]);
    for (const id of CHART_IDS) expect(dom).toMatch(new RegExp(`<svg [^>]*data-chart="${id}"`));
    expect(dom).toContain("bit-exact: 4096/4096 words");
    // the name is text in the parsed DOM, so serialisation escapes it again; no script element was created
    expect(dom).toContain("&lt;script&gt;alert(1)&lt;/script&gt; &amp;");
    expect(dom).not.toMatch(/<script/i);
  }, 300_000);

  it("takes a non-trivial screenshot", async () => {
    const paths = writeReport(join(work, "full"), fullReport());
    const shot = join(work, "shot.png");
    await chromium([...chromiumArgs(mkdtempSync(join(work, "profile-"))), `--screenshot=${shot}`, "--window-size=1200,2000", `file://${paths.html}`]);
    expect(existsSync(shot)).toBe(true);
    expect(statSync(shot).size).toBeGreaterThan(10 * 1024);
  }, 300_000);
});
