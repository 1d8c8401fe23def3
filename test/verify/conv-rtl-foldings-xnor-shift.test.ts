/**
 * Generated conv RTL in Verilator, xnor and shift: three foldings each (including
 * PE ∤ Cout and SIMD ∤ K), with back-pressure and without (where the streaming
 * model must predict the measured cycles exactly). Split by datapath so the
 * two test workers build designs in parallel.
 */
import { describeFoldings, WIDTHS } from "../helpers/rtl.js";

describeFoldings(
  "xnor and shift",
  WIDTHS.filter((w) => w.kernel === "xnor" || w.kernel === "shift"),
);
