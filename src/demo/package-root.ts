/** The simlearn package folder (holding package.json and data/), from src/ or from dist/src/. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if (JSON.parse(readFileSync(pkg, 'utf8')).name === 'simlearn') return dir;
      } catch {
        // an unreadable package.json is not ours; keep walking up
      }
    }
    dir = dirname(dir);
  }
  throw new Error('cannot locate the simlearn package folder (package.json) from the installed files');
}

/** The digits CSV shipped with the package (the demo's default data). */
export function bundledDataset(name = 'digits'): string {
  return join(packageRoot(), 'data', `${name}.csv`);
}
