import { test } from 'node:test';
import { startServe } from './serve-process.js';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readDataset } from '../../src/io/index.js';
import { NCA } from '../../src/metric/nca.js';
import { DATA, runCli } from '../helpers.js';

test('simlearn serve: starts on loopback, prints its URL, answers real HTTP calls, stops on SIGTERM', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'simlearn-serve-'));
  try {
    const iris = readDataset(join(DATA, 'iris.csv'));
    const nca = new NCA({ seed: 0, maxIter: 20 }).fit(iris.X, iris.y as number[]);
    const modelPath = join(dir, 'iris-nca.simlearn');
    nca.save(modelPath);

    const { url, child, stderr, exited } = await startServe(['--model', modelPath, '--items', join(DATA, 'iris.csv')]);
    try {
      const health = await (await fetch(`${url}/health`)).json();
      assert.equal(health.model, 'metric/nca');
      assert.equal(health.items, 150);
      assert.equal(health.thresholdSource, 'calibrated');
      assert.match(stderr(), /metric\/nca over 150 items/);

      const sim = await fetch(`${url}/similar`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: 0, k: 5 }) });
      const body = await sim.json();
      assert.equal(body.results.length, 5);
      // Item 0 is a setosa; in NCA's space its five nearest neighbours are setosas too.
      for (const r of body.results) assert.equal(r.label, body.query.label);
      const bad = await fetch(`${url}/verify`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ a: 0, b: 9999 }) });
      assert.equal(bad.status, 404);
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await exited, 0, stderr());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('simlearn serve: a bad --port is a usage error (exit 2) giving the range', () => {
  const badPort = runCli(['serve', '--model', 'euclidean', '--items', join(DATA, 'iris.csv'), '--port', '70000']);
  assert.equal(badPort.code, 2);
  assert.match(badPort.stderr, /--port must be an integer in 0\.\.65535/);
});
