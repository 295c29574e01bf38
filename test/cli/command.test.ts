import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UsageError, asOptionError, intOption, parseSets } from '../../src/cli/command.js';

test('--set numbers are read as strictly as data cells: decimal only, never empty', () => {
  assert.deepEqual(parseSets(['k=5', 'tol=1e-3', 'gamma=.5', 'rowSpace=false', 'init=pca', 'bounds=[1, 5]']), { k: 5, tol: 1e-3, gamma: 0.5, rowSpace: false, init: 'pca', bounds: [1, 5] });
  for (const raw of ['0x10', '0b11', '0o17', '0X1F']) {
    assert.throws(() => parseSets([`k=${raw}`]), (e: Error) => e instanceof UsageError && e.message === `--set k=${raw}: write numbers in decimal (hexadecimal, octal and binary are not read)`, raw);
  }
  assert.throws(() => parseSets(['k=']), (e: Error) => e instanceof UsageError && /--set k= has no value; write --set k=VALUE/.test(e.message));
  assert.throws(() => parseSets(['k=  ']), /has no value/);
});

test('integer options refuse other notations and the empty string', () => {
  assert.equal(intOption('16', '--k', 1), 16);
  assert.throws(() => intOption('0x10', '--k', 1), (e: Error) => e instanceof UsageError && /--k must be an integer ≥ 1, got "0x10"/.test(e.message));
  assert.throws(() => intOption('', '--seed', 0), /--seed must be an integer/);
});

test('an error naming an option the user gave becomes a usage error under that option; others pass through', () => {
  const named = asOptionError(new RangeError('lmnn: class 0 has 6 samples, but k = 16 target neighbours need at least 17'), { k: '--set k=16' });
  assert.ok(named instanceof UsageError);
  assert.equal((named as Error).message, '--set k=16: lmnn: class 0 has 6 samples, but k = 16 target neighbours need at least 17');
  // Not the same word: k-NN, a longer name, a path.
  for (const msg of ['3-NN accuracy needs k-NN labels', 'kGenuine must be positive', '/data/k/x.csv: line 3: bad cell', 'k.csv: line 2: bad cell']) {
    const e = new RangeError(msg);
    assert.equal(asOptionError(e, { k: '--set k=3' }), e, msg);
  }
  const data = new RangeError('x.csv: line 3, column "b": the cell "NaN" is not a finite number');
  assert.equal(asOptionError(data, { k: '--set k=3' }), data);
});
