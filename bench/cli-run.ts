/** Running `simlearn cv` as a user does, in a fresh process, for the benches that do. */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Compiles dist/ (bin/simlearn.js runs the compiled code). */
export function buildDist(): void {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.json')], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error('building dist/ failed');
}

export interface CvJson {
  accuracy: { mean: number; std: number };
  fitSeconds: { median: number; perFold: number[] };
  warnings: string[];
}

/** `simlearn cv --data DATA --folds FOLDS --algo ALGO --json` with the default single BLAS thread. */
export function runCv(algo: string, data: string, folds: string): CvJson {
  const env = { ...process.env };
  delete env.SIMLEARN_THREADS; // the default: one BLAS thread, as metric-learn's figures
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'simlearn.js'), 'cv', '--data', data, '--folds', folds, '--algo', algo, '--json'],
    { env, encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`simlearn cv --algo ${algo} on ${data} failed: ${r.stderr.trim().split('\n').pop()}`);
  return JSON.parse(r.stdout) as CvJson;
}
