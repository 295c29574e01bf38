/** A train config saved as UTF-8 with a byte-order mark (common on Windows) reads like one without. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readTrainConfig } from '../../src/deep/config.js';
import { ROOT } from '../helpers.js';

test('readTrainConfig strips a leading BOM', () => {
  const dir = mkdtempSync(join(tmpdir(), 'simlearn-config-bom-'));
  try {
    const text = readFileSync(join(ROOT, 'examples', 'train-digits-triplet.json'), 'utf8');
    const path = join(dir, 'bom.json');
    writeFileSync(path, '\ufeff' + text);
    const withBom = readTrainConfig(path).config;
    writeFileSync(path, text);
    assert.deepEqual(withBom, readTrainConfig(path).config);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
