import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpuSeconds, measureCpu, waitForBackgroundWork } from '../../src/evaluation/cpu-time.js';

function spin(seconds: number): number {
  const t0 = cpuSeconds();
  let x = 0;
  while (cpuSeconds() - t0 < seconds) x += Math.sqrt(x + 1);
  return x;
}

test('measureCpu returns the work\'s value and at least the CPU the work itself saw', () => {
  let inner = 0;
  const r = measureCpu(() => {
    const t0 = cpuSeconds();
    spin(0.02);
    inner = cpuSeconds() - t0;
    return 42;
  });
  assert.equal(r.value, 42);
  assert.ok(inner >= 0.02);
  assert.ok(r.seconds >= inner, `measured ${r.seconds} s, the work saw ${inner} s`);
});

test('measureCpu passes the work\'s exceptions through', () => {
  assert.throws(() => measureCpu(() => { throw new RangeError('bad input'); }), /bad input/);
});

test('waitForBackgroundWork returns on an idle process, and with maxMs 0 at once', () => {
  waitForBackgroundWork();
  waitForBackgroundWork(0);
});
