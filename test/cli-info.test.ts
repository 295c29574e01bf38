import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, ROOT } from './helpers.js';
import { VERSION } from '../src/version.js';

test('VERSION matches package.json', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  assert.equal(VERSION, pkg.version);
});

test('simlearn info --json reports version, backend, blas, threads', () => {
  const r = runCli(['info', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const info = JSON.parse(r.stdout);
  assert.equal(info.version, VERSION);
  assert.ok(info.backend === 'native' || info.backend === 'js');
  assert.equal(typeof info.blas, 'string');
  assert.ok(info.threads >= 1);
});

test('SIMLEARN_BACKEND=js forces the pure TypeScript backend', () => {
  const r = runCli(['info', '--json'], { SIMLEARN_BACKEND: 'js' });
  assert.equal(JSON.parse(r.stdout).backend, 'js');
});

test('an unknown command is a usage error (exit 2)', () => {
  const r = runCli(['no-such-command']);
  assert.equal(r.code, 2);
});

test('--version prints the version', () => {
  const r = runCli(['--version']);
  assert.equal(r.code, 0);
  assert.equal(r.stdout.trim(), VERSION);
});
