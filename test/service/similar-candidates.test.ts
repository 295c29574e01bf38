/**
 * /similar answers with the exact float64 nearest items even where the float32 candidate
 * search cannot rank them: a query far from the items (in float32's range) makes the index's
 * ‖q‖² + ‖x‖² − 2 q·x lose the digits that separate one item from another.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Matrix } from '../../src/matrix.js';
import { Random } from '../../src/random.js';
import { euclideanModel } from '../../src/service/similarity-model.js';
import { buildService } from '../../src/service/server.js';

const n = 300;
const d = 8;
const rng = new Random(5);
const X = new Matrix(n, d, rng.fillNormal(new Float64Array(n * d)));
const { app } = buildService({ model: euclideanModel(d), items: { ids: Array.from({ length: n }, (_, i) => `item${i}`), labels: null, X } });

/** The k nearest rows in float64, by (distance, row), skipping `skip`. */
function bruteForce(q: ArrayLike<number>, k: number, skip = -1): { id: string; distance: number }[] {
  const all: { i: number; distance: number }[] = [];
  for (let i = 0; i < n; i++) {
    if (i === skip) continue;
    let s = 0;
    for (let j = 0; j < d; j++) s += (q[j] - X.data[i * d + j]) ** 2;
    all.push({ i, distance: Math.sqrt(s) });
  }
  all.sort((a, b) => a.distance - b.distance || a.i - b.i);
  return all.slice(0, k).map(({ i, distance }) => ({ id: `item${i}`, distance }));
}

async function similar(payload: unknown): Promise<{ id: string; distance: number }[]> {
  const r = await app.inject({ method: 'POST', url: '/similar', payload });
  assert.equal(r.statusCode, 200, r.body);
  return r.json().results.map((h: { id: string; distance: number }) => ({ id: h.id, distance: h.distance }));
}

test('/similar: queries far from the items still get the exact nearest ones (the float32 candidates alone missed them)', async () => {
  // Items of norm ~3, queries of norm up to ~1e12: squared distances ~1e24 are well inside
  // float32's range, but its rounding (~1e17 there) swamps the ~1e12 differences between items.
  let checked = 0;
  for (const scale of [1, 1e4, 1e6, 1e8, 1e12]) {
    for (let t = 0; t < 8; t++) {
      const q = Array.from({ length: d }, () => rng.normal() * scale);
      assert.deepEqual(await similar({ vector: q, k: 5 }), bruteForce(q, 5), `scale ${scale}, query ${t}`);
      checked++;
    }
  }
  assert.equal(checked, 40);
});

test('/similar: ordinary queries by vector and by id, and k = every other item, agree with a float64 scan', async () => {
  for (let t = 0; t < 10; t++) {
    const q = Array.from({ length: d }, () => rng.normal());
    assert.deepEqual(await similar({ vector: q, k: 10 }), bruteForce(q, 10));
    const self = (t * 37) % n;
    assert.deepEqual(await similar({ id: `item${self}`, k: 7 }), bruteForce(X.row(self), 7, self));
  }
  const all = await similar({ id: 'item3', k: 100 });
  assert.deepEqual(all, bruteForce(X.row(3), 100, 3));
});
