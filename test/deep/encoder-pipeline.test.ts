import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Random } from '../../src/random.js';
import { parseTrainConfig } from '../../src/deep/config.js';
import { runTraining } from '../../src/deep/pipeline.js';
import { DATA } from '../helpers.js';
import { writeLinearOnnx } from './onnx-fixture.js';

test('frozen encoder + head: embeddings are computed once, then read from the cache', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'simlearn-encpipe-'));
  try {
    // A random 13 → 10 projection stands in for a pretrained encoder.
    const r = new Random(3);
    writeLinearOnnx(join(dir, 'encoder.onnx'), Float32Array.from({ length: 130 }, () => r.normal() / 4), 13, 10, new Float32Array(10));
    const config = parseTrainConfig({
      data: join(DATA, 'wine.csv'),
      encoder: { path: 'encoder.onnx', cacheDir: 'cache' },
      head: { hidden: [16], output: 8 },
      loss: { name: 'contrastive' },
      sampler: { name: 'm-per-class', m: 8, batchSize: 48 },
      optimizer: { name: 'adam', lr: 0.01 },
      epochs: 6,
    });
    const first = await runTraining(config, { baseDir: dir });
    const second = await runTraining(config, { baseDir: dir });
    assert.equal(first.encoder!.cacheHit, false);
    assert.equal(second.encoder!.cacheHit, true);
    assert.equal(readdirSync(join(dir, 'cache')).length, 1);
    assert.equal(first.head.inputDim, 10, 'the head trains on the encoder outputs');
    assert.deepEqual(second.training.final, first.training.final);
    assert.ok(first.training.final!.mapAtR > first.untrained.mapAtR, 'the head improves on the frozen embeddings');
    assert.throws(() => first.head.transform([[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]]), /trained on the outputs of the encoder .*encoder.onnx, so encode the data with it first/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
