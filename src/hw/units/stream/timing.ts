/**
 * Cycle model of the valid/ready streams codegen emits. Each unit mirrors the
 * registers of its template that decide timing (not the data) and the same
 * combinational ready/valid equations, so stepping the chain cycle by cycle
 * reproduces the RTL's handshakes exactly when the source and sink never stall.
 */
export interface TimedUnit {
  /** out_valid from registers. */
  outValid(): boolean;
  /** in_ready given the downstream out_ready (combinational, as in the RTL). */
  inReady(outReady: boolean): boolean;
  /** Clock edge: input and output handshakes computed before the edge. */
  step(inFire: boolean, outFire: boolean, inValid: boolean, outReady: boolean): void;
}

/** A registered stage with the single-enable pipeline of requant.v.hbs / threshold.v.hbs. */
export class RegisteredStage implements TimedUnit {
  private valid = false;
  outValid(): boolean {
    return this.valid;
  }
  inReady(outReady: boolean): boolean {
    return !this.valid || outReady;
  }
  step(_inFire: boolean, _outFire: boolean, inValid: boolean, outReady: boolean): void {
    if (!this.valid || outReady) this.valid = inValid;
  }
}
