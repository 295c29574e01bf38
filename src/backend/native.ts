/**
 * Loader for the Node-API addon (native/). Returns null when the addon is absent or fails
 * to load; the reason is kept for `simlearn info` and for SIMLEARN_BACKEND=native errors.
 */
import type { Backend } from './backend.js';

let reason: string | null = 'the native addon is not built yet';

export function loadNativeBackend(): Backend | null {
  return null;
}

export function nativeLoadError(): string | null {
  return reason;
}
