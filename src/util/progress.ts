/** Progress lines with an ETA for long phases: at most one every five seconds, none once the phase is done. */

/** "1 min 40 s", "12 s". */
export function formatSeconds(seconds: number): string {
  const s = Math.ceil(seconds);
  return s >= 60 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${s} s`;
}

/**
 * A reporter of `done` out of `total` (images, cycles …): `phase: done/total unit, rate/s, about … left`.
 * Call it as often as convenient; it prints every five seconds at most.
 */
export function etaReporter(phase: string, total: number, onProgress?: (m: string) => void, unit = "images"): (done: number) => void {
  const start = Date.now();
  let next = start + 5000;
  return (done) => {
    const now = Date.now();
    if (!onProgress || now < next || done >= total || done <= 0) return;
    next = now + 5000;
    const seconds = (now - start) / 1000;
    onProgress(`${phase}: ${done}/${total} ${unit}, ${(done / seconds).toFixed(0)}/s, about ${formatSeconds(((total - done) * seconds) / done)} left`);
  };
}
