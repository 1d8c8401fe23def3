/**
 * The timing skeleton the row-buffered ViT units share (templates/verilog/
 * ivit-shiftmax.v.hbs, ivit-layernorm.v.hbs): LOAD a row of N elements, one or more
 * phases around the sequential divider, a read pass over the row (a one-stage read
 * pipeline, s1), then EMIT the row through the same pipeline under back-pressure.
 * Subclasses give the phases in between; the registers and update equations here
 * are the templates' own, so stepping reproduces the RTL cycle for cycle.
 */
import { TimedUnit } from "../stream/timing.js";
import { DividerTiming } from "../ivit-divider/timing.js";

export abstract class RowPassTiming<Phase extends string> implements TimedUnit {
  protected phase: "LOAD" | "EMIT" | Phase = "LOAD";
  private count = 0;
  private s1Valid = false;
  private s1Last = false;
  private valid = false;
  private outLast = false;
  private divStart = false;
  private readonly div: DividerTiming;
  /** `readPhase`: the phase that streams the buffered row through s1 (a sum, a variance). */
  constructor(
    private readonly N: number,
    dividendBits: number,
    private readonly readPhase: Phase,
  ) {
    this.div = new DividerTiming(dividendBits);
  }
  outValid(): boolean {
    return this.valid;
  }
  inReady(): boolean {
    return this.phase === "LOAD";
  }
  /** The row is loaded: set the next phase; true starts the divider. */
  protected abstract loaded(): boolean;
  /** The read pass has delivered its last element: set the next phase; true starts the divider. */
  protected abstract readDone(): boolean;
  /** One cycle of a phase of the subclass's own (not LOAD, EMIT or the read pass); true starts the divider. */
  protected abstract other(divDone: boolean): boolean;
  /** Enter EMIT: the row is read again from its first element. */
  protected beginEmit(): void {
    this.phase = "EMIT";
    this.count = 0;
    this.s1Valid = false;
  }
  /** Leave a divider phase for the read pass (the s1 stage restarts empty). */
  protected beginRead(): void {
    this.phase = this.readPhase;
    this.s1Valid = false;
  }
  step(inFire: boolean, _outFire: boolean, _inValid: boolean, outReady: boolean): void {
    const more = this.count !== this.N;
    const atLast = this.count === this.N - 1;
    const emitAdv = !this.valid || outReady;
    const rdEn = more && (this.phase === this.readPhase || (this.phase === "EMIT" && emitAdv));
    const divDone = this.div.done;
    this.div.tick(this.divStart);
    const s1Last = this.s1Last;
    const s1Valid = this.s1Valid;
    if (rdEn) this.s1Last = atLast;
    let divStart = false;
    if (this.phase === "LOAD") {
      if (inFire) {
        if (atLast) {
          this.count = 0;
          divStart = this.loaded();
        } else this.count++;
      }
    } else if (this.phase === this.readPhase) {
      this.s1Valid = more;
      if (more) this.count++;
      if (s1Valid && s1Last) divStart = this.readDone();
    } else if (this.phase === "EMIT") {
      const fire = this.valid && outReady && this.outLast;
      if (emitAdv) {
        this.outLast = s1Last;
        this.valid = s1Valid;
        this.s1Valid = more;
        if (more) this.count++;
      }
      if (fire) {
        this.phase = "LOAD";
        this.count = 0;
      }
    } else divStart = this.other(divDone);
    this.divStart = divStart;
  }
}
