/**
 * Cycle model of the multi-head attention unit (templates/verilog/ivit-attention.v.hbs):
 * mirrors the template's registers that decide timing (phase, counters, valid bits,
 * the divider) with the same update equations, so stepping it reproduces the RTL's
 * handshakes cycle for cycle. Used by src/hw/layers/ivit.ts.
 */
import { AttentionLayer, tensorSize } from "../../../ir/model.js";
import { attentionDivider, attentionShape } from "./params.js";
import { TimedUnit } from "../stream/timing.js";
import { DividerTiming } from "../ivit-divider/timing.js";

/** ivit-attention.v.hbs: LOAD, then per row and head SCORE, SUM, DIVIDE, PROB and per group AV, EMIT. */
export class AttentionTiming implements TimedUnit {
  private phase: "LOAD" | "SCORE" | "SUM" | "DIVIDE" | "PROB" | "AV" | "EMIT" = "LOAD";
  private loaded = 0;
  private more = false;
  private j = 0;
  private kg = 0;
  private t = 0;
  private h = 0;
  private vg = 0;
  private s1Valid = false;
  private s1Last = false;
  private ecnt = 0;
  private valid = false;
  private outLast = false;
  private divStart = false;
  private readonly div: DividerTiming;
  private readonly T: number;
  private readonly H: number;
  private readonly G: number;
  private readonly S: number;
  private readonly frame: number;
  constructor(layer: AttentionLayer) {
    const sh = attentionShape(layer);
    this.T = sh.tokens;
    this.H = sh.heads;
    this.G = sh.groups;
    this.S = sh.simd;
    this.frame = tensorSize(layer.input);
    this.div = new DividerTiming(attentionDivider(layer).dividendBits);
  }
  outValid(): boolean {
    return this.valid;
  }
  inReady(): boolean {
    return this.phase === "LOAD";
  }
  step(inFire: boolean, _outFire: boolean, _inValid: boolean, outReady: boolean): void {
    const { T, H, G, S } = this;
    const p = this.phase;
    const issue = this.more && (p === "SCORE" || p === "SUM" || p === "PROB" || p === "AV");
    const jLast = this.j === T - 1;
    const kgLast = this.kg === G - 1;
    const itemLast = jLast && (p !== "SCORE" || kgLast);
    const emitAdv = !this.valid || outReady;
    const emitMore = this.ecnt !== S;
    const emitDone = this.valid && outReady && this.outLast;
    const stageDone = this.s1Valid && this.s1Last;
    const divDone = this.div.done;
    this.div.tick(this.divStart);
    if (issue) this.s1Last = itemLast;
    this.s1Valid = issue;
    let divStart = false;
    const loadDone = inFire && this.loaded === this.frame - 1;
    if (inFire) this.loaded = loadDone ? 0 : this.loaded + 1;
    if (issue) {
      if (p === "SCORE") {
        this.kg = kgLast ? 0 : this.kg + 1;
        if (kgLast) this.j++;
      } else this.j++;
      if (itemLast) this.more = false;
    }
    const startItems = () => {
      this.more = true;
      this.j = 0;
    };
    switch (p) {
      case "LOAD":
        if (loadDone) {
          this.phase = "SCORE";
          startItems();
          this.kg = 0;
          this.t = 0;
          this.h = 0;
          this.vg = 0;
        }
        break;
      case "SCORE":
        if (stageDone) {
          this.phase = "SUM";
          startItems();
        }
        break;
      case "SUM":
        if (stageDone) {
          this.phase = "DIVIDE";
          divStart = true;
        }
        break;
      case "DIVIDE":
        if (divDone) {
          this.phase = "PROB";
          startItems();
        }
        break;
      case "PROB":
        if (stageDone) {
          this.phase = "AV";
          startItems();
        }
        break;
      case "AV":
        if (stageDone) {
          this.phase = "EMIT";
          this.ecnt = 0;
        }
        break;
      case "EMIT":
        if (emitAdv) {
          this.valid = emitMore;
          if (emitMore) {
            this.outLast = this.ecnt === S - 1;
            this.ecnt++;
          }
        }
        if (emitDone) {
          if (this.vg !== G - 1) {
            this.phase = "AV";
            startItems();
            this.vg++;
          } else if (this.h !== H - 1 || this.t !== T - 1) {
            this.phase = "SCORE";
            startItems();
            this.kg = 0;
            this.vg = 0;
            if (this.h !== H - 1) this.h++;
            else {
              this.h = 0;
              this.t++;
            }
          } else this.phase = "LOAD";
        }
        break;
    }
    this.divStart = divStart;
  }
}
