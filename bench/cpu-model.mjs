// Plain JavaScript so that scripts/run-bench.mjs (node, no tsx) and the benches share it.
import { readFileSync } from 'node:fs';

/** The CPU's model name and widest vector extension (Linux), so figures from different machines are told apart. */
export function cpuModel() {
  try {
    const info = readFileSync('/proc/cpuinfo', 'utf8');
    const model = /^model name\s*:\s*(.+)$/m.exec(info)?.[1]?.trim() ?? 'unknown CPU';
    const flags = /^flags\s*:\s*(.+)$/m.exec(info)?.[1]?.split(/\s+/) ?? [];
    return `${model} (${flags.includes('avx512f') ? 'AVX-512' : flags.includes('avx2') ? 'AVX2' : 'SSE'})`;
  } catch {
    return 'unknown CPU';
  }
}
