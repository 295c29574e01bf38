#!/usr/bin/env node
// Builds the native addon (native/) with node-gyp. Runs as the package's `install` script and
// as `npm run build:native`. It must never fail an install: any problem prints one line and
// exits 0, and simlearn then runs on its pure TypeScript backend.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const nativeDir = join(root, 'native');
const HINT = 'apt-get install libopenblas-dev liblapacke-dev g++ make python3, then npm run build:native';

function fallback(reason) {
  console.log(`simlearn: native addon not built (${reason}); using the pure TypeScript backend. For the fast path: ${HINT}`);
  process.exit(0);
}

// node-gyp: npm tells scripts where its bundled copy is; elsewhere look next to npm, then PATH.
function findNodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp,
    join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    join(root, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ];
  for (const c of candidates) if (c && existsSync(c)) return { cmd: process.execPath, pre: [c] };
  const which = spawnSync('sh', ['-c', 'command -v node-gyp'], { encoding: 'utf8' });
  if (which.status === 0 && which.stdout.trim()) return { cmd: which.stdout.trim(), pre: [] };
  return null;
}

// Builds against the headers of the running Node when they are installed (distribution
// packages put them under <prefix>/include/node), so no header download is needed.
function nodedirArgs() {
  if (process.env.npm_config_nodedir) return [];
  const prefix = join(dirname(process.execPath), '..');
  return existsSync(join(prefix, 'include', 'node', 'node_api.h')) && existsSync(join(prefix, 'include', 'node', 'common.gypi')) ? [`--nodedir=${prefix}`] : [];
}

function lastErrorLine(text) {
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  const hit = lines.find((l) => /fatal error|error:|cannot find -l|not found|No such file/i.test(l));
  return (hit ?? lines.at(-1) ?? 'unknown error').replace(/^gyp (ERR!|info) /, '').slice(0, 200);
}

try {
  if (process.env.SIMLEARN_SKIP_NATIVE) fallback('SIMLEARN_SKIP_NATIVE is set');
  if (!existsSync(join(nativeDir, 'binding.gyp'))) fallback('native/binding.gyp is missing');
  try {
    await import('node-addon-api');
  } catch {
    fallback('node-addon-api is not installed');
  }
  const gyp = findNodeGyp();
  if (!gyp) fallback('node-gyp was not found');
  const r = spawnSync(gyp.cmd, [...gyp.pre, 'rebuild', ...nodedirArgs()], {
    cwd: nativeDir, encoding: 'utf8', env: process.env, maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error) fallback(`could not run node-gyp: ${r.error.message}`);
  if (r.status !== 0) fallback(`build failed: ${lastErrorLine(`${r.stdout ?? ''}\n${r.stderr ?? ''}`)}`);
  // A build that links but cannot load (e.g. missing runtime library) is no better than none.
  const addon = join(nativeDir, 'build', 'Release', 'simlearn_native.node');
  const check = spawnSync(process.execPath, ['-e', `const a = require(${JSON.stringify(addon)}); process.stdout.write(a.blasInfo())`], { encoding: 'utf8' });
  if (check.status !== 0) fallback(`built but failed to load: ${lastErrorLine(check.stderr ?? '')}`);
  console.log(`simlearn: native addon built (${check.stdout.trim().split(' ').slice(0, 2).join(' ')})`);
} catch (e) {
  fallback(e instanceof Error ? e.message : String(e));
}
