import { test } from 'node:test';
import assert from 'node:assert/strict';
import { percentiles } from '../../src/metric/percentiles.js';
import { Random } from '../../src/random.js';

/** The definition: sort, then interpolate between the neighbouring order statistics. */
function bySort(values: Float64Array, q: number): number {
  const s = Float64Array.from(values).sort();
  const pos = (q / 100) * (s.length - 1);
  const lo = Math.floor(pos), hi = Math.ceil(pos);
  return s[lo] + (pos - lo) * (s[hi] - s[lo]);
}

test('percentiles: numpy\'s values on small inputs', () => {
  // numpy.percentile([1, 2, 3, 4], [0, 5, 50, 95, 100]) = [1, 1.15, 2.5, 3.85, 4].
  const got = percentiles([4, 1, 3, 2], [0, 5, 50, 95, 100]);
  [1, 1.15, 2.5, 3.85, 4].forEach((want, i) => assert.ok(Math.abs(got[i] - want) < 1e-12, `${got[i]} vs ${want}`));
  assert.deepEqual(percentiles([7], [5, 95]), [7, 7]);
});

test('percentiles: the same bits as sorting, with ties and any order of requests', () => {
  const r = new Random(3);
  for (const n of [2, 3, 10, 101, 5000]) {
    const v = new Float64Array(n);
    for (let i = 0; i < n; i++) v[i] = i % 4 === 0 ? Math.floor(r.uniform() * 5) : r.normal() * 10; // ties
    const qs = [95, 5, 50, 0, 100, 33.3];
    const got = percentiles(v, qs);
    qs.forEach((q, i) => assert.equal(got[i], bySort(v, q), `n ${n}, q ${q}`));
  }
});

test('percentiles: bad input names the problem', () => {
  assert.throws(() => percentiles([], [5]), /no values/);
  assert.throws(() => percentiles([1, NaN], [5]), /values\[1\] is NaN/);
  assert.throws(() => percentiles([1, 2], [101]), /q must be in \[0, 100\], got 101/);
});
