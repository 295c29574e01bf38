/** Shared setup for the native-backend tests: the addon itself, loaded whatever SIMLEARN_BACKEND says. */
import { loadNativeBackend, nativeLoadError } from '../../src/backend/native.js';
import type { Backend } from '../../src/backend/backend.js';
import type { FloatArray } from '../../src/matrix.js';
import { Random } from '../../src/random.js';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import assert from 'node:assert/strict';
import { ROOT } from '../helpers.js';

/** The native backend; a missing addon fails loudly (npm ci builds it; see scripts/build-native.mjs). */
export function requireNative(): Backend {
  const b = loadNativeBackend();
  if (!b) throw new Error(`the native addon did not load: ${nativeLoadError()}. Build it with "npm run build:native".`);
  return b;
}

export type Ctor = Float32ArrayConstructor | Float64ArrayConstructor;
export const DTYPES: Array<[string, Ctor, number]> = [
  ['float32', Float32Array, 2e-5],
  ['float64', Float64Array, 1e-12],
];

export function normal(ctor: Ctor, n: number, r: Random): FloatArray {
  return r.fillNormal(new ctor(n));
}

/** Small integers: every product and sum is exact in both precisions, so results can be compared exactly. */
export function integers(ctor: Ctor, n: number, r: Random, range = 3): FloatArray {
  const out = new ctor(n);
  for (let i = 0; i < n; i++) out[i] = r.int(range) - 1;
  return out;
}

/** max |a - b| / max(1, max |b|); NaN if either holds NaN where the other does not. */
export function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let scale = 1;
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]));
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    if (Number.isNaN(a[i]) && Number.isNaN(b[i])) continue;
    if (a[i] === b[i]) continue; // equal infinities
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= m)) m = d;
  }
  return m / scale;
}

/** Row-major C = A B for dense double matrices (test-side reference). */
export function matmul(a: ArrayLike<number>, b: ArrayLike<number>, m: number, k: number, n: number): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let p = 0; p < k; p++) {
    const v = a[i * k + p];
    for (let j = 0; j < n; j++) c[i * n + j] += v * b[p * n + j];
  }
  return c;
}

export function transpose(a: ArrayLike<number>, rows: number, cols: number): Float64Array {
  const t = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = a[i * cols + j];
  return t;
}

export function identity(n: number): Float64Array {
  const I = new Float64Array(n * n);
  for (let i = 0; i < n; i++) I[i * n + i] = 1;
  return I;
}

/** A random symmetric positive definite matrix XᵀX / n + ridge I. */
export function spd(n: number, r: Random, ridge = 0.5): Float64Array {
  const x = r.fillNormal(new Float64Array(2 * n * n));
  const g = matmul(transpose(x, 2 * n, n), x, n, 2 * n, n);
  for (let i = 0; i < n * n; i++) g[i] /= 2 * n;
  for (let i = 0; i < n; i++) g[i * n + i] += ridge;
  return g;
}

export function symmetric(n: number, r: Random): Float64Array {
  const a = r.fillNormal(new Float64Array(n * n));
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) a[j * n + i] = a[i * n + j];
  return a;
}

/** Output of a test script that ran with the native kernels forced to one instruction set. */
export interface IsaRun {
  isa: string;
  /** What computed the float32 k-NN tiles (nativeKnnTileIsa), where the script reports it. */
  tile?: string;
  exact: number[][];
  rounded: number[][];
}

/**
 * Runs `script` (an ES module printing one IsaRun as JSON) in a child process with
 * SIMLEARN_KNN_ISA=isa: the kernel choice is made once per process, so each variant needs its own.
 */
export function runWithIsa<T = IsaRun>(script: string, isa: string, env: Record<string, string> = {}): T {
  // maxBuffer: the default 1 MiB kills a child that prints a few k-NN results (status null)
  const res = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20, env: { ...process.env, SIMLEARN_KNN_ISA: isa, ...env } });
  assert.equal(res.status, 0, res.stderr);
  return JSON.parse(res.stdout) as T;
}

/** True when this CPU has AVX2 and FMA (Linux only; false elsewhere), i.e. the AVX2 tile kernel can run. */
export function cpuHasAvx2Fma(): boolean {
  if (!existsSync('/proc/cpuinfo')) return false;
  const flags = (/^flags\s*:(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? '').split(/\s+/);
  return flags.includes('avx2') && flags.includes('fma');
}
