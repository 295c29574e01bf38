/** Copying a module's parameters and buffers out and back (checkpoints, saving and loading). */
import type { Module } from './module.js';

export interface NamedArray {
  shape: number[];
  data: Float32Array;
}

/** A deep copy of every parameter and buffer, by name. */
export function getState(m: Module): Record<string, NamedArray> {
  const out: Record<string, NamedArray> = {};
  for (const p of m.parameters()) out[p.name] = { shape: p.shape.slice(), data: p.value.slice() };
  for (const b of m.buffers()) out[b.name] = { shape: b.shape.slice(), data: b.value.slice() };
  return out;
}

/** Writes a state into the module in place; every entry must exist with the right size. */
export function setState(m: Module, state: Record<string, { shape: number[]; data: ArrayLike<number> }>, source = 'state'): void {
  const targets = [...m.parameters().map((p) => ({ name: p.name, value: p.value })), ...m.buffers().map((b) => ({ name: b.name, value: b.value }))];
  for (const t of targets) {
    const s = state[t.name];
    if (!s) throw new Error(`${source}: missing array "${t.name}" (the file does not match this head's structure)`);
    if (s.data.length !== t.value.length) throw new Error(`${source}: array "${t.name}" has ${s.data.length} values, the head needs ${t.value.length}`);
    for (let i = 0; i < t.value.length; i++) {
      const v = s.data[i];
      if (!Number.isFinite(v)) throw new Error(`${source}: array "${t.name}" holds a non-finite value at ${i}`);
      t.value[i] = v;
    }
  }
}
