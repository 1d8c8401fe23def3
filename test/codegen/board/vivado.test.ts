/**
 * The generated Vivado scripts under tclsh, every Vivado command a recording stub
 * (fixtures/vivado-stubs.tcl): the recorded calls must name the board's part, the
 * IP's top, every generated RTL and ROM file, and the board's clock.
 */
import { describe, expect, it } from "vitest";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { run } from "../../../src/util/process.js";
import { runCli } from "../../helpers/cli.js";
import { testDir } from "../../helpers/temp.js";

const STUBS = join(dirname(fileURLToPath(import.meta.url)), "fixtures", "vivado-stubs.tcl");

/** Sources `scripts` (paths) in tclsh after the stubs, from `cwd`; returns the recorded calls, one string each. */
async function recordCalls(scripts: readonly string[], cwd: string): Promise<string[]> {
  const dir = testDir("vivado-tcl-");
  const log = join(dir, "calls.log");
  const driver = join(dir, "run.tcl");
  writeFileSync(driver, [`source {${STUBS}}`, ...scripts.map((s) => `source {${s}}`), `write_calls {${log}}`, ""].join("\n"));
  const r = await run("tclsh", [driver], { cwd });
  expect(r.stderr, r.stdout).toBe("");
  expect(r.code).toBe(0);
  return readFileSync(log, "utf8").trim().split("\n");
}

async function genBoard(model: string, board: string): Promise<string> {
  const out = join(testDir("vivado-gen-"), "pkg");
  const r = await runCli(["gen", model, "--out", out, "--board", board]);
  expect(r.stderr).toBe("");
  expect(r.status).toBe(0);
  return out;
}

const calls = (log: string[], name: string) => log.filter((c) => c.split(" ")[0] === name);

describe("Vivado scripts under tclsh with recording stubs", () => {
  it("pynq-z2: build.tcl creates the project on xc7z020clg400-1 with every RTL and ROM file, packages the IP, builds the block design and a bitstream", async () => {
    const pkg = await genBoard("models/conv3x3-xnor.json", "pynq-z2");
    // run from another folder: the scripts find the package from their own path
    const log = await recordCalls([join(pkg, "vivado", "build.tcl")], "/");
    const text = log.join("\n");
    const rtl = readdirSync(join(pkg, "rtl"));
    const verilog = rtl.filter((f) => f.endsWith(".v"));
    // ROM images (the testbench vectors axi_*.hex beside them are not RTL)
    const hex = rtl.filter((f) => f.endsWith(".hex") && !f.startsWith("axi_"));
    expect(verilog).toContain("conv3x3_xnor_axis_top.v");
    expect(hex.length).toBeGreaterThan(0);

    const projects = calls(log, "create_project");
    expect(projects[0]).toMatch(/-part xc7z020clg400-1$/);
    expect(projects[1]).toMatch(/conv3x3_xnor_system .* -part xc7z020clg400-1$/);
    const added = calls(log, "add_files").join("\n");
    for (const f of [...verilog, ...hex]) expect(added).toContain(join(pkg, "rtl", f));
    for (const f of hex) expect(text).toContain(`set_property file_type {Memory Initialization Files} ${join(pkg, "rtl", f)}`);
    expect(added).toContain(`-fileset constrs_1 ${join(pkg, "vivado", "conv3x3_xnor.xdc")}`);
    expect(text).toContain("set_property top conv3x3_xnor_axis_top sources_1");

    expect(calls(log, "ipx::package_project")[0]).toContain(`-root_dir ${join(pkg, "ip")}`);
    for (const bus of ["s_axis", "m_axis", "s_axil"]) expect(text).toContain(`ipx::associate_bus_interfaces -busif ${bus} -clock aclk core`);
    // the wrapper has the ports those interfaces are inferred from
    const wrapper = readFileSync(join(pkg, "rtl", "conv3x3_xnor_axis_top.v"), "utf8");
    for (const port of ["aclk", "aresetn", "s_axis_tdata", "s_axis_tlast", "m_axis_tlast", "m_axis_tkeep", "s_axil_awaddr", "s_axil_rdata"])
      expect(wrapper).toMatch(new RegExp(`\\b${port}\\b`));

    const cells = calls(log, "create_bd_cell").join("\n");
    expect(cells).toContain("xilinx.com:ip:processing_system7:5.5 ps");
    expect(cells).toContain("xilinx.com:ip:axi_dma:7.1 dma");
    expect(cells).toContain("quantrtl.org:quantrtl:conv3x3_xnor_axis_top:1.0 nn");
    expect(text).toContain("CONFIG.PCW_FPGA0_PERIPHERAL_FREQMHZ 100 ");
    // 1-bit elements travel in 8-bit beats both ways
    expect(text).toContain("CONFIG.c_m_axis_mm2s_tdata_width 8 CONFIG.c_s_axis_s2mm_tdata_width 8 ");
    expect(text).toContain("connect_bd_intf_net dma/M_AXIS_MM2S nn/s_axis");
    expect(text).toContain("connect_bd_intf_net nn/m_axis dma/S_AXIS_S2MM");
    expect(text).toContain("set_property offset 0x43C00000 ps/Data/SEG_nn_reg0");
    expect(text).toContain("set_property offset 0x40400000 ps/Data/SEG_dma_Reg");
    expect(text).toContain("set_property board_part tul.com.tw:pynq-z2:part0:1.0");
    expect(text).toContain("launch_runs impl_1 -to_step write_bitstream");
    expect(existsSync(join(pkg, "overlay", "conv3x3_xnor.bit"))).toBe(true);
    expect(existsSync(join(pkg, "overlay", "conv3x3_xnor.hwh"))).toBe(true);
  }, 120_000);

  it("the XDC constrains aclk to the board clock: 100 MHz on pynq-z2 is a 10.000 ns period", async () => {
    const pkg = await genBoard("models/conv3x3-xnor.json", "pynq-z2");
    const log = await recordCalls([join(pkg, "vivado", "conv3x3_xnor.xdc")], pkg);
    expect(log).toEqual(["get_ports aclk", "create_clock -period 10.000 -name aclk aclk"]);
  }, 120_000);

  it("zcu104: the UltraScale+ processing system, its part and the FPD address window", async () => {
    const pkg = await genBoard("models/conv3x3-xnor.json", "zcu104");
    const text = (await recordCalls([join(pkg, "vivado", "build.tcl")], "/")).join("\n");
    expect(text).toMatch(/create_project -force conv3x3_xnor_ip \S+ -part xczu7ev-ffvc1156-2-e/);
    expect(text).toContain("xilinx.com:ip:zynq_ultra_ps_e:3.3 ps");
    expect(text).toContain('Master "/ps/M_AXI_HPM0_FPD"');
    expect(text).toContain("set_property offset 0xA0010000 ps/Data/SEG_nn_reg0");
  }, 120_000);

  it("arty-a7-100t (no processing system): project and IP packaging only, no block design, no driver", async () => {
    const pkg = await genBoard("models/conv3x3-xnor.json", "arty-a7-100t");
    expect(readdirSync(join(pkg, "vivado")).sort()).toEqual(["conv3x3_xnor.xdc", "create_project.tcl", "package_ip.tcl"]);
    expect(existsSync(join(pkg, "driver"))).toBe(false);
    const text = (await recordCalls([join(pkg, "vivado", "package_ip.tcl")], "/")).join("\n");
    expect(text).toMatch(/-part xc7a100tcsg324-1/);
    expect(text).toContain("ipx::save_core core");
  }, 120_000);
});
