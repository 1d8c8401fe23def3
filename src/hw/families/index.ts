/** The Yosys families quantrtl targets, one file each. */
import { Board } from "../../ir/board.js";
import { FamilyRules, YosysFamily } from "./family.js";
import { xilinx } from "./xilinx.js";
import { ice40 } from "./ice40.js";
import { ecp5 } from "./ecp5.js";

export type { CellTally, FamilyRules, YosysFamily } from "./family.js";

const FAMILIES: { readonly [F in YosysFamily]: FamilyRules } = { xilinx, ice40, ecp5 };

export function familyRules(family: YosysFamily | Board): FamilyRules {
  return FAMILIES[typeof family === "string" ? family : family.yosysFamily];
}
