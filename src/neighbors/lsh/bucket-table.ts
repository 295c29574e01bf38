/**
 * One LSH hash table: bucket key → chain of stored rows, with no per-bucket allocation.
 * Keys live in an open-addressing table (linear probing, grown at half load) whose slot
 * holds the first row of the bucket; `next` links each row to the following row of the same
 * bucket. A million-entry index then costs two typed arrays per table instead of a million
 * small JS arrays (which made building slow and the garbage collector busy). Keys are
 * masked to 31 bits; two keys merging only adds candidates, which re-ranking discards.
 */
export class BucketTable {
  private keys: Uint32Array;
  private heads: Int32Array;
  private used = 0;
  /** next[row] = the next row in the same bucket, or −1. */
  next: Int32Array;
  /**
   * Read-optimised copy for searching: bucket b's rows are csrRows[frozen[3b + 1] ..
   * frozen[3b + 2]), where b = lookup(key). Walking a chain is a dependent load per row (the
   * processor cannot run ahead), a CSR range is a sequential read. The frozen directory holds
   * (key + 1, start, end) side by side in a table sized to the distinct keys, so one probe
   * costs one cache miss instead of three (keys, heads and start arrays sized to the rows).
   * Rebuilt on the first search after a change.
   */
  frozen = new Int32Array(0);
  csrRows = new Int32Array(0);
  private frozenMask = 0;
  private dirty = true;

  constructor(capacityRows = 64) {
    const slots = nextPow2(Math.max(16, capacityRows * 2));
    this.keys = new Uint32Array(slots);
    this.heads = new Int32Array(slots).fill(-1);
    this.next = new Int32Array(Math.max(16, capacityRows)).fill(-1);
  }

  private slotOf(key: number): number {
    const mask = this.keys.length - 1;
    // keys are already well mixed (hash outputs or random sign patterns); spread them anyway
    let s = Math.imul(key ^ (key >>> 15), 0x2c1b3c6d) >>> 0;
    s &= mask;
    for (;;) {
      const k = this.keys[s];
      if (k === 0 || k === key + 1) return s;
      s = (s + 1) & mask;
    }
  }

  /** First row of the bucket, or −1. */
  head(key: number): number {
    const s = this.slotOf(key & 0x7fffffff);
    return this.keys[s] === 0 ? -1 : this.heads[s];
  }

  insert(key: number, row: number): void {
    this.dirty = true;
    key &= 0x7fffffff;
    if (row >= this.next.length) {
      const nn = new Int32Array(Math.max(row + 1, this.next.length * 2)).fill(-1);
      nn.set(this.next);
      this.next = nn;
    }
    let s = this.slotOf(key);
    if (this.keys[s] === 0) {
      if ((this.used + 1) * 2 > this.keys.length) {
        this.grow();
        s = this.slotOf(key);
      }
      this.keys[s] = key + 1; // 0 marks an unused slot, so store key + 1 (keys are masked to 31 bits)
      this.used++;
      this.heads[s] = -1;
    }
    this.next[row] = this.heads[s];
    this.heads[s] = row;
  }

  /** Unlinks `row` from its bucket. */
  unlink(key: number, row: number): void {
    this.dirty = true;
    const s = this.slotOf(key & 0x7fffffff);
    if (this.keys[s] === 0) return;
    let r = this.heads[s];
    if (r === row) {
      this.heads[s] = this.next[row];
      return;
    }
    while (r !== -1) {
      const nx = this.next[r];
      if (nx === row) {
        this.next[r] = this.next[row];
        return;
      }
      r = nx;
    }
  }

  /** Renames row `from` to `to` inside its bucket (after a swap-remove in the store). */
  rename(key: number, from: number, to: number): void {
    this.dirty = true;
    const s = this.slotOf(key & 0x7fffffff);
    if (this.keys[s] === 0) return;
    if (to >= this.next.length) {
      const nn = new Int32Array(Math.max(to + 1, this.next.length * 2)).fill(-1);
      nn.set(this.next);
      this.next = nn;
    }
    this.next[to] = this.next[from];
    if (this.heads[s] === from) {
      this.heads[s] = to;
      return;
    }
    let r = this.heads[s];
    while (r !== -1) {
      if (this.next[r] === from) {
        this.next[r] = to;
        return;
      }
      r = this.next[r];
    }
  }

  /** The frozen bucket of `key` (rows in csrRows[frozen[3b + 1] .. frozen[3b + 2])), or −1 when the key has no bucket. Call freeze() first. */
  lookup(key: number): number {
    // key + 1 as stored in the Int32Array (key 2^31 − 1 becomes −2^31)
    const k1 = ((key & 0x7fffffff) + 1) | 0;
    const f = this.frozen;
    const mask = this.frozenMask;
    let s = (Math.imul(k1 ^ (k1 >>> 15), 0x2c1b3c6d) >>> 0) & mask;
    for (;;) {
      const v = f[3 * s];
      if (v === k1) return s;
      if (v === 0) return -1;
      s = (s + 1) & mask;
    }
  }

  /** Builds the frozen directory and CSR rows if anything changed since the last build. */
  freeze(): void {
    if (!this.dirty) return;
    const slots = this.keys.length;
    let total = 0;
    const counts = new Int32Array(slots);
    let distinct = 0;
    for (let s = 0; s < slots; s++) {
      if (this.keys[s] === 0) continue;
      let c = 0;
      for (let r = this.heads[s]; r !== -1; r = this.next[r]) c++;
      counts[s] = c;
      total += c;
      if (c > 0) distinct++;
    }
    const fslots = nextPow2(Math.max(16, distinct * 2));
    const mask = fslots - 1;
    const frozen = new Int32Array(fslots * 3);
    const rows = new Int32Array(total);
    let at = 0;
    for (let s = 0; s < slots; s++) {
      const c = counts[s];
      if (c === 0) continue;
      const k1 = this.keys[s] | 0; // key + 1, as an int32
      let f = (Math.imul(k1 ^ (k1 >>> 15), 0x2c1b3c6d) >>> 0) & mask;
      while (frozen[3 * f] !== 0) f = (f + 1) & mask;
      frozen[3 * f] = k1;
      frozen[3 * f + 1] = at;
      frozen[3 * f + 2] = at + c;
      // chains are newest-first; store oldest-first so rows ascend within a bucket
      let i = at + c;
      for (let r = this.heads[s]; r !== -1; r = this.next[r]) rows[--i] = r;
      at += c;
    }
    this.frozen = frozen;
    this.frozenMask = mask;
    this.csrRows = rows;
    this.dirty = false;
  }

  private grow(): void {
    const oldKeys = this.keys;
    const oldHeads = this.heads;
    this.keys = new Uint32Array(oldKeys.length * 2);
    this.heads = new Int32Array(oldKeys.length * 2).fill(-1);
    for (let i = 0; i < oldKeys.length; i++) {
      if (oldKeys[i] === 0) continue;
      const s = this.slotOf(oldKeys[i] - 1);
      this.keys[s] = oldKeys[i];
      this.heads[s] = oldHeads[i];
    }
  }
}

function nextPow2(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}
