/** Miners by the names configs use; options are each miner's own (see its file). */
import type { Miner } from '../types.js';
import { BatchEasyHardMiner, BatchHardMiner, type BatchEasyHardMinerOptions } from './batch-easy-hard.js';
import { MultiSimilarityMiner, type MultiSimilarityMinerOptions } from './multi-similarity.js';
import { PairMarginMiner, type PairMarginMinerOptions } from './pair-margin.js';
import { TripletMarginMiner, type TripletMarginMinerOptions } from './triplet-margin.js';

export const MINER_NAMES = ['batch-hard', 'batch-easy-hard', 'triplet-margin', 'multi-similarity', 'pair-margin'] as const;

const ALLOWED: Record<string, string[]> = {
  'batch-hard': ['distance'],
  'batch-easy-hard': ['positives', 'negatives', 'distance'],
  'triplet-margin': ['margin', 'type', 'distance', 'maxTriplets'],
  'multi-similarity': ['epsilon', 'distance'],
  'pair-margin': ['posMargin', 'negMargin', 'distance'],
};

export function minerByName(name: string, options: Record<string, unknown> = {}): Miner {
  const allowed = ALLOWED[name];
  if (!allowed) throw new RangeError(`miner: unknown name "${name}"; use one of ${MINER_NAMES.join(', ')}`);
  for (const k of Object.keys(options)) {
    if (!allowed.includes(k)) throw new RangeError(`miner ${name}: unknown option "${k}"; it takes ${allowed.join(', ')}`);
  }
  switch (name) {
    case 'batch-hard': return new BatchHardMiner(options as { distance?: string });
    case 'batch-easy-hard': return new BatchEasyHardMiner(options as BatchEasyHardMinerOptions);
    // JSON has no Infinity: a config's null means no cap.
    case 'triplet-margin': return new TripletMarginMiner({ ...options, ...(options.maxTriplets === null ? { maxTriplets: Infinity } : {}) } as TripletMarginMinerOptions);
    case 'multi-similarity': return new MultiSimilarityMiner(options as MultiSimilarityMinerOptions);
    default: return new PairMarginMiner(options as PairMarginMinerOptions);
  }
}
