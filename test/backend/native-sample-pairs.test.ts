import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsBackend } from '../../src/backend/js-backend.js';
import type { Backend } from '../../src/backend/backend.js';
import { Random } from '../../src/random.js';
import { Constraints } from '../../src/metric/constraints.js';
import { requireNative } from './native-helpers.js';

const native = requireNative();

/** Labels with unequal classes and some unlabelled rows, as CSR for the kernel. */
function labelled(n: number, nClasses: number, seed: number) {
  const r = new Random(seed);
  const codes = new Int32Array(n);
  for (let i = 0; i < n; i++) codes[i] = r.next() < 0.05 ? -1 : Math.min(nClasses - 1, Math.floor(nClasses * r.next() ** 1.5));
  const lists: number[][] = Array.from({ length: nClasses }, () => []);
  codes.forEach((c, i) => { if (c >= 0) lists[c].push(i); });
  const memberStart = new Int32Array(nClasses + 1);
  lists.forEach((l, c) => { memberStart[c + 1] = memberStart[c] + l.length; });
  const members = Int32Array.from(lists.flat());
  const known = Int32Array.from(Array.from(codes.keys()).filter((i) => codes[i] >= 0));
  return { codes, known, memberStart, members };
}

function draw(be: Backend, count: number, same: boolean, seed: number) {
  const L = labelled(600, 6, 1);
  const rng = new Random(seed).state();
  const pairs = be.samplePairs(L.codes, L.known, L.memberStart, L.members, count, same, rng);
  return { ...pairs, rng, codes: L.codes };
}

test('samplePairs: native makes the reference draws and leaves the generator in the same state', () => {
  for (const same of [true, false]) {
    for (const seed of [0, 7]) {
      const a = draw(native, 3000, same, seed), b = draw(jsBackend, 3000, same, seed);
      assert.deepEqual(Array.from(a.a), Array.from(b.a));
      assert.deepEqual(Array.from(a.b), Array.from(b.b));
      assert.deepEqual(Array.from(a.rng), Array.from(b.rng));
      assert.notDeepEqual(Array.from(a.rng), Array.from(new Random(seed).state()), 'the generator advanced');
    }
  }
});

test('samplePairs: pairs are distinct, labelled, and same- or different-class as asked', () => {
  for (const be of [native, jsBackend]) {
    for (const same of [true, false]) {
      const { a, b, codes } = draw(be, 2500, same, 3);
      const keys = new Set<number>();
      for (let t = 0; t < a.length; t++) {
        assert.notEqual(a[t], b[t]);
        assert.ok(codes[a[t]] >= 0 && codes[b[t]] >= 0, 'both rows labelled');
        assert.equal(codes[a[t]] === codes[b[t]], same);
        keys.add(Math.min(a[t], b[t]) * 1000 + Math.max(a[t], b[t]));
      }
      assert.equal(keys.size, a.length, 'no unordered pair twice');
    }
  }
});

test('samplePairs: the Random continues the same stream after Constraints draws through the backend', () => {
  const y = Array.from({ length: 400 }, (_, i) => (i * 31) % 5);
  const r1 = new Random(11), r2 = new Random(11);
  const p1 = new Constraints(y).labelledPairs(300, { seed: r1 });
  const p2 = new Constraints(y).labelledPairs(300, { seed: r2 });
  assert.deepEqual(Array.from(p1.indices), Array.from(p2.indices));
  assert.equal(r1.next(), r2.next());
});

test('samplePairs: requests rejection cannot serve, and malformed arguments, are refused by name', () => {
  const L = labelled(60, 3, 2);
  for (const be of [native, jsBackend]) {
    const call = (over: Partial<typeof L> & { count?: number; rng?: Uint32Array }) =>
      be.samplePairs(over.codes ?? L.codes, over.known ?? L.known, over.memberStart ?? L.memberStart, over.members ?? L.members, over.count ?? 10, true, over.rng ?? new Random(0).state());
    assert.throws(() => call({ count: 5000 }), /samplePairs: 5000 pairs asked for.*a third of the \d+ same-class pairs.*enumerate/);
    assert.throws(() => call({ rng: new Uint32Array(4) }), /samplePairs: rng must not be all zero/);
    assert.throws(() => call({ rng: new Uint32Array(3) }), /samplePairs: rng must be a Uint32Array of the 4/);
    const unlabelled = L.codes.indexOf(-1);
    if (unlabelled >= 0) {
      const known = L.known.slice();
      known[0] = unlabelled;
      assert.throws(() => call({ known }), /samplePairs: known\[0\] = \d+ is not a labelled row/);
    }
    assert.throws(() => call({ memberStart: Int32Array.of(0, 5) }), /samplePairs: memberStart must run from 0 to members.length/);
    assert.throws(() => call({ known: L.known.subarray(1) }), /samplePairs: known has \d+ rows but the classes list \d+/);
  }
});
