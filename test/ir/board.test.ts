import { describe, expect, test } from "vitest";
import { boardNames, loadBoard, parseBoard } from "../../src/ir/board.js";
import { QuantrtlError } from "../../src/util/errors.js";

describe("boards", () => {
  test("the six bundled boards load and carry the data-sheet figures of docs/figures.md", () => {
    expect(boardNames()).toEqual(["arty-a7-100t", "icebreaker", "kv260", "pynq-z2", "ulx3s-85f", "zcu104"]);
    // figures from docs/figures.md, written here independently of hw/boards
    const sheet: Record<string, [number, number, number, number]> = {
      "pynq-z2": [53200, 106400, 220, 140 * 36 * 1024],
      "arty-a7-100t": [63400, 126800, 240, 135 * 36 * 1024],
      zcu104: [230400, 460800, 1728, 312 * 36 * 1024],
      kv260: [117120, 234240, 1248, 144 * 36 * 1024],
      icebreaker: [5280, 5280, 8, 30 * 4 * 1024],
      "ulx3s-85f": [83640, 83640, 156, 208 * 18 * 1024],
    };
    for (const name of boardNames()) {
      const b = loadBoard(name);
      expect([b.resources.lut, b.resources.ff, b.resources.dsp, b.resources.bramBits]).toEqual(sheet[name]);
      expect(b.clockMHz).toBeGreaterThan(0);
    }
    expect(loadBoard("zcu104").resources.uramBits).toBe(96 * 288 * 1024);
    expect(loadBoard("icebreaker").resources.spramBits).toBe(4 * 256 * 1024);
    expect(loadBoard("icebreaker").yosysFamily).toBe("ice40");
    expect(loadBoard("ulx3s-85f").synthCommand).toBe("synth_ecp5");
  });

  test("an unknown board names --board and lists the valid ones", () => {
    expect(() => loadBoard("de10-nano")).toThrowError(QuantrtlError);
    try {
      loadBoard("de10-nano");
    } catch (err) {
      const e = err as QuantrtlError;
      expect(e.path).toBe("--board");
      expect(e.hint).toContain("pynq-z2");
    }
  });

  test("a malformed board document is rejected with its JSON path", () => {
    const good = { quantrtlBoard: 1, ...loadBoard("pynq-z2") };
    const bad = { ...good, resources: { ...good.resources, lut: -5 } };
    expect(() => parseBoard(bad, "my-board.json")).toThrowError(/my-board.json \/resources\/lut/);
    const missing: Record<string, unknown> = { ...good };
    delete missing.clockMHz;
    expect(() => parseBoard(missing, "b.json")).toThrowError(/missing field "clockMHz"/);
  });
});
