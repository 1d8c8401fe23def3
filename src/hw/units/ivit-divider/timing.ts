/** Cycle model of the sequential divider of the integer ViT units (templates/verilog/ivit-divider.v.hbs). */

/** Dividend bits of the Shiftmax / ShiftGELU reciprocal floor((2^31 − 1) / ·). */
export const RECIPROCAL_BITS = 31;

/** templates/verilog/ivit-divider.v.hbs: busy, step and done, one quotient bit per cycle. */
export class DividerTiming {
  private busy = false;
  private step = 0;
  /** The registered `done` pulse. */
  done = false;
  private readonly steps: number;
  constructor(dividendBits: number) {
    this.steps = Math.max(2, dividendBits);
  }
  tick(start: boolean): void {
    const last = this.step === this.steps - 1;
    this.done = this.busy && !start && last;
    const busy = start ? true : this.busy && last ? false : this.busy;
    this.step = start ? 0 : this.busy ? this.step + 1 : this.step;
    this.busy = busy;
  }
}
