/** Distances by the names configs use. */
import type { Distance } from '../types.js';
import { CosineSimilarity } from './cosine.js';
import { DotProductSimilarity } from './dot.js';
import { LpDistance } from './lp.js';

export const DISTANCE_NAMES = ['euclidean', 'sqeuclidean', 'cosine', 'dot'] as const;
export type DistanceName = (typeof DISTANCE_NAMES)[number];

export function distanceByName(name: string): Distance {
  switch (name) {
    case 'euclidean': return new LpDistance();
    case 'sqeuclidean': return new LpDistance({ squared: true });
    case 'cosine': return new CosineSimilarity();
    case 'dot': return new DotProductSimilarity();
    default: throw new RangeError(`distance: unknown name "${name}"; use one of ${DISTANCE_NAMES.join(', ')}`);
  }
}

/** Accepts a name or a Distance object (what loss and miner options take). */
export function resolveDistance(d: string | Distance | undefined, fallback: DistanceName, owner: string): Distance {
  if (d === undefined) return distanceByName(fallback);
  if (typeof d === 'string') {
    try {
      return distanceByName(d);
    } catch (e) {
      throw new RangeError(`${owner}: ${(e as Error).message}`);
    }
  }
  if (typeof d.pairwise !== 'function' || typeof d.backward !== 'function' || typeof d.largerIsCloser !== 'boolean') {
    throw new TypeError(`${owner}: distance must be a name (${DISTANCE_NAMES.join(', ')}) or a Distance object with pairwise, backward and largerIsCloser`);
  }
  return d;
}
