/**
 * Backend selection: native when the addon loads, else pure TypeScript.
 * `SIMLEARN_BACKEND=js|native` or `useBackend()` overrides; asking for native when it
 * cannot load is an error rather than a silent fallback, so benchmarks never lie.
 */
import type { Backend } from './backend.js';
import { jsBackend } from './js-backend.js';
import { loadNativeBackend, nativeLoadError } from './native.js';

let current: Backend | null = null;

function choose(): Backend {
  const wanted = (typeof process !== 'undefined' ? process.env.SIMLEARN_BACKEND : undefined)?.trim().toLowerCase();
  if (wanted === 'js') return jsBackend;
  const native = loadNativeBackend();
  if (wanted === 'native') {
    if (!native) throw new Error(`SIMLEARN_BACKEND=native but the native addon did not load: ${nativeLoadError() ?? 'unknown reason'}. Run "npm run build:native" (needs libopenblas-dev liblapacke-dev and a C++ compiler).`);
    return native;
  }
  if (wanted && wanted !== 'auto') throw new Error(`SIMLEARN_BACKEND must be "js", "native" or "auto", got "${wanted}"`);
  return native ?? jsBackend;
}

/** The backend every simlearn computation uses. */
export function getBackend(): Backend {
  if (!current) current = choose();
  return current;
}

/** Switches backend for the whole process ('js', 'native', or a Backend object). */
export function useBackend(which: 'js' | 'native' | Backend): Backend {
  if (typeof which !== 'string') current = which;
  else if (which === 'js') current = jsBackend;
  else {
    const native = loadNativeBackend();
    if (!native) throw new Error(`useBackend('native'): the native addon did not load: ${nativeLoadError() ?? 'unknown reason'}`);
    current = native;
  }
  return current;
}

export { jsBackend };
export { loadNativeBackend, nativeLoadError };
export type { Backend, EighResult, SvdResult, KnnResult, KnnOptions, KnnCandidatesOptions, KnnCandidatesResult } from './backend.js';
export { LinAlgError } from './backend.js';
