/**
 * `quantrtl bitstream`: a tiny network in its UART harness through Yosys,
 * nextpnr-ice40 (with the iCEBreaker's PCF) and icepack, all from npm, in child
 * processes. Each run places and routes (about a minute under WebAssembly).
 */
import { describe, expect, test } from "vitest";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { runCli } from "../helpers/cli.js";
import { testDir } from "../helpers/temp.js";
import { writeTinyDense } from "../helpers/board-models.js";

describe("quantrtl bitstream", () => {
  test("a tiny network for the iCEBreaker: a .bin with the iCE40 preamble, the PCF beside it, 12 MHz met", async () => {
    const dir = testDir("quantrtl-bitstream-");
    const model = writeTinyDense(dir);
    const out = join(dir, "out");
    const r = await runCli(["bitstream", model, "--board", "icebreaker", "--out", out], { timeoutMs: 900_000 });
    expect(r.stderr).not.toMatch(/^error/m);
    expect(r.status).toBe(0);
    const bin = readFileSync(join(out, "tiny_dense.bin"));
    // an UltraPlus 5K image: 0xFF 0x00 0x00 0xFF, then the preamble 7E AA 99 7E (Lattice TN1248 / icestorm's bitstream format)
    expect(Array.from(bin.subarray(0, 8))).toEqual([0xff, 0x00, 0x00, 0xff, 0x7e, 0xaa, 0x99, 0x7e]);
    expect(bin.length).toBeGreaterThan(100_000); // the UP5K's whole configuration, about 104 KB
    const pcf = readFileSync(join(out, "tiny_dense.pcf"), "utf8");
    expect(pcf).toMatch(/^set_io -nowarn uart_tx 9$/m);
    expect(existsSync(join(out, "rtl", "tiny_dense_uart_top.v"))).toBe(true);
    const summary = JSON.parse(readFileSync(join(out, "bitstream.json"), "utf8")) as { fmaxMHz: number; timingMet: boolean; clockMHz: number };
    expect(summary.clockMHz).toBe(12);
    expect(summary.timingMet).toBe(true);
    expect(summary.fmaxMHz).toBeGreaterThanOrEqual(12);
    expect(r.stdout).toMatch(/Fmax [\d.]+ MHz \(clock 12 MHz, met\)/);
  }, 900_000);

  test("a clock no iCE40 reaches (500 MHz): exit 1 naming the achieved Fmax and the critical path, nothing written", async () => {
    const dir = testDir("quantrtl-bitstream-");
    const model = writeTinyDense(dir);
    const out = join(dir, "out");
    const r = await runCli(["bitstream", model, "--board", "icebreaker", "--clock-mhz", "500", "--baud", "1000000", "--out", out], { timeoutMs: 900_000 });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/timing not met: Fmax [\d.]+ MHz < 500 MHz clock; critical path [\d.]+ ns, \S+ -> \S+/);
    expect(r.stderr).toContain("--allow-timing-miss");
    expect(existsSync(out)).toBe(false);
  }, 900_000);

  test("a board other than an iCE40 is refused before any tool runs", async () => {
    const model = writeTinyDense(testDir("quantrtl-bitstream-"));
    const r = await runCli(["bitstream", model, "--board", "pynq-z2"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/iCE40 boards only/);
  });
});
