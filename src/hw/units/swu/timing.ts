/**
 * Timing of the sliding-window unit (templates/verilog/swu.v.hbs): the writer takes
 * an element when fewer than BR rows are held; the reader issues one slice per cycle
 * once the window's last element is written, through two stages with one enable
 * (the banks' synchronous reads, then the output register). Row coordinates are
 * unbiased here.
 */
import { Conv2dLayer } from "../../../ir/model.js";
import { foldCounts } from "../../../ir/folding.js";
import { TimedUnit } from "../stream/timing.js";

export class SwuTiming implements TimedUnit {
  private readonly H: number;
  private readonly W: number;
  private readonly C: number;
  private readonly KH: number;
  private readonly KW: number;
  private readonly SY: number;
  private readonly SX: number;
  private readonly PY: number;
  private readonly PX: number;
  private readonly HOUT: number;
  private readonly WOUT: number;
  private readonly NF: number;
  private readonly SF: number;
  private readonly BR: number;
  private readonly rowElems: number;
  private readonly wrapRelease: number;
  private wrPos = 0;
  private ahead = 0; // writer row − lowest row the reader still needs
  private oy = 0;
  private ox = 0;
  private nf = 0;
  private sf = 0;
  private s1Valid = false;
  private valid = false;

  constructor(layer: Conv2dLayer) {
    ({ height: this.H, width: this.W, channels: this.C } = layer.input);
    [this.KH, this.KW] = layer.kernel;
    [this.SY, this.SX] = layer.stride;
    [this.PY, this.PX] = layer.padding;
    ({ height: this.HOUT, width: this.WOUT } = layer.output);
    const f = foldCounts(layer);
    this.NF = f.nf;
    this.SF = f.sf;
    this.BR = this.KH + this.SY;
    this.rowElems = this.W * this.C;
    this.wrapRelease = this.H - Math.max(0, (this.HOUT - 1) * this.SY - this.PY);
  }

  private windowReady(): boolean {
    const iy = this.oy * this.SY - this.PY;
    const lowRow = Math.max(0, iy);
    const lastRow = Math.min(this.H - 1, iy + this.KH - 1);
    const rel = lastRow - lowRow;
    const lastCol = Math.min(this.W - 1, this.ox * this.SX - this.PX + this.KW - 1);
    const needPos = (lastCol + 1) * this.C;
    return this.ahead > rel || (this.ahead === rel && this.wrPos >= needPos);
  }

  outValid(): boolean {
    return this.valid;
  }
  inReady(): boolean {
    return this.ahead < this.BR;
  }
  step(inFire: boolean, _outFire: boolean, _inValid: boolean, outReady: boolean): void {
    const rdAdv = !this.valid || outReady;
    const ready = this.windowReady();
    const rdFire = rdAdv && ready;
    let dAhead = 0;
    if (inFire) {
      if (this.wrPos === this.rowElems - 1) {
        this.wrPos = 0;
        dAhead += 1;
      } else this.wrPos++;
    }
    if (rdFire) {
      if (this.sf < this.SF - 1) this.sf++;
      else {
        this.sf = 0;
        if (this.nf < this.NF - 1) this.nf++;
        else {
          this.nf = 0;
          if (this.ox < this.WOUT - 1) this.ox++;
          else {
            this.ox = 0;
            const iy = this.oy * this.SY - this.PY;
            if (this.oy < this.HOUT - 1) {
              dAhead -= Math.max(0, iy + this.SY) - Math.max(0, iy);
              this.oy++;
            } else {
              dAhead -= this.wrapRelease;
              this.oy = 0;
            }
          }
        }
      }
    }
    this.ahead += dAhead;
    if (rdAdv) {
      this.valid = this.s1Valid;
      this.s1Valid = ready;
    }
  }
}
