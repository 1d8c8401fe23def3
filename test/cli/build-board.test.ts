/**
 * `quantrtl build --board pynq-z2` writes the Xilinx board package beside the
 * proof's RTL: the AXI4-Stream top, Vivado scripts, XDC, PYNQ driver and FuseSoC
 * core; the package's own testbench runs from rtl/ with its file list.
 */
import { describe, expect, it } from "vitest";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { run } from "../../src/util/process.js";
import { runCli } from "../helpers/cli.js";
import { testDir } from "../helpers/temp.js";

describe("quantrtl build --board pynq-z2", () => {
  it("writes the AXI IP, Vivado scripts, XDC, driver and FuseSoC core, and lists them", async () => {
    const out = join(testDir("build-board-"), "out");
    const r = await runCli(
      ["build", "models/mnist-xnor.json", "--board", "pynq-z2", "--out", out, "--limit", "5", "--vectors", "1", "--sim", "icarus", "--no-synth"],
      { timeoutMs: 900_000 },
    );
    expect(r.status, r.stderr.slice(-2000)).toBe(0);
    const pkg = join(out, "board");
    const expected = [
      "rtl/mnist_xnor_axis_top.v",
      "rtl/ip_files.f",
      "vivado/create_project.tcl",
      "vivado/package_ip.tcl",
      "vivado/block_design.tcl",
      "vivado/build.tcl",
      "vivado/mnist_xnor.xdc",
      "driver/mnist_xnor.py",
      "mnist_xnor.core",
      "sim/axi_tb.v",
      "vectors/input.hex",
    ];
    for (const f of expected) expect(existsSync(join(pkg, f)), f).toBe(true);
    expect(r.stdout).toContain(`pynq-z2 IP (AXI4-Stream, generated and checked, Vivado not run): ${pkg}`);
    expect(r.stdout).toContain("vivado/build.tcl");
    expect(readFileSync(join(pkg, "rtl", "mnist_xnor_axis_top.v"), "utf8")).toMatch(/output wire\s+m_axis_tlast/);

    // the report lists them, relative to the build folder, and every listed file exists
    const report = JSON.parse(readFileSync(join(out, "report", "report.json"), "utf8")) as { boardFiles: { what: string; dir: string; files: string[] }[] };
    expect(report.boardFiles).toHaveLength(1);
    expect(report.boardFiles[0].dir).toBe("board");
    // the listing names the files a user opens (the vectors stay out of it)
    for (const f of expected.filter((x) => !x.startsWith("vectors/"))) expect(report.boardFiles[0].files, f).toContain(f);
    for (const f of report.boardFiles[0].files) expect(existsSync(join(out, "board", f)), f).toBe(true);
    expect(readFileSync(join(out, "report", "report.md"), "utf8")).toContain("`vivado/build.tcl`");
    expect(readFileSync(join(out, "report", "report.html"), "utf8")).toContain('<a href="../board/vivado/build.tcl">');

    // the FuseSoC core names every Verilog file and every ROM image of rtl/
    const core = readFileSync(join(pkg, "mnist_xnor.core"), "utf8");
    expect(core.startsWith("CAPI=2:\n")).toBe(true);
    for (const f of readdirSync(join(pkg, "rtl"))) {
      if (f.endsWith(".v")) expect(core).toContain(`- rtl/${f}\n`);
      if (f.endsWith(".hex")) expect(core).toContain(`- rtl/${f}: {copyto: ${f}`);
    }
    expect(core).toContain("part: xc7z020clg400-1");

    // portable: Icarus from rtl/ with the file list (ROM images and the testbench's vectors resolve there)
    const rtl = join(pkg, "rtl");
    const vvp = join(testDir("build-board-sim-"), "tb.vvp");
    const c = await run("iverilog", ["-g2012", "-s", "axi_tb", "-o", vvp, "-c", "ip_files.f", "../sim/axi_tb.v"], { cwd: rtl });
    expect(c.stdout + c.stderr).toBe("");
    const sim = await run("vvp", ["-n", vvp], { cwd: rtl });
    // one 28x28 image in, one class out
    expect(sim.stdout).toMatch(/AXI_RESULT 784 784 784 1 1 1 0 0/);
  }, 900_000);
});
