/**
 * CPU time of a piece of work, counted the way metric-learn's reference figures are (process
 * CPU seconds), with the process's background threads accounted to the work that caused them.
 */

/**
 * CPU seconds of this process (user + system): the unit metric-learn's reference figures use,
 * and far steadier than wall time on a shared machine. Single-threaded backends make it the
 * fit's own time; with a multi-threaded BLAS it sums the threads (the bench uses one).
 */
export function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

const SLICE_MS = 2;
/** Below this much CPU in a slice while the main thread sleeps, the process is idle. */
const IDLE_SECONDS = 1e-4;

/**
 * Sleeps in 2 ms slices until the process spends (almost) no CPU while this thread sleeps, or
 * maxMs has passed. V8 compiles hot functions and collects garbage on background threads, and
 * an OpenBLAS worker spins for a while after a parallel call; process CPU time counts all of
 * that whenever it runs. Waiting before a measurement starts keeps the previous step's
 * background work (say, the JIT of a fold's k-NN scoring) out of it, and waiting before it
 * ends keeps the measured work's own background work in.
 */
export function waitForBackgroundWork(maxMs = 200): void {
  const cell = new Int32Array(new SharedArrayBuffer(4));
  let before = cpuSeconds();
  for (let waited = 0; waited < maxMs; waited += SLICE_MS) {
    Atomics.wait(cell, 0, 0, SLICE_MS);
    const now = cpuSeconds();
    if (now - before < IDLE_SECONDS) return;
    before = now;
  }
}

/** Process CPU seconds that `work` took, its background threads included (see above). */
export function measureCpu<T>(work: () => T): { value: T; seconds: number } {
  waitForBackgroundWork();
  const t0 = cpuSeconds();
  const value = work();
  waitForBackgroundWork();
  return { value, seconds: cpuSeconds() - t0 };
}
