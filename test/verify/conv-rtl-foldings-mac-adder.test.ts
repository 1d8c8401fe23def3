/**
 * Generated conv RTL in Verilator, mac and adder at 8 and 16 bits: three foldings each (including
 * PE ∤ Cout and SIMD ∤ K), with back-pressure and without (where the streaming
 * model must predict the measured cycles exactly). Split by datapath so the
 * two test workers build designs in parallel.
 */
import { describeFoldings, WIDTHS } from "../helpers/rtl.js";

describeFoldings(
  "mac and adder",
  WIDTHS.filter((w) => w.kernel === "mac" || w.kernel === "adder"),
);
