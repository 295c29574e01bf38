/**
 * metric-learn 0.7's side of the metric benches: its figures quoted from
 * shared/peers/metric-learn.md, and the shape of a run of bench/metric-learn-peer.py.
 */
import { readFileSync } from 'node:fs';

/** shared/peers/metric-learn.md: accuracy mean, std, median fit CPU seconds (null = metric-learn fails). */
export const PEER: Record<string, Record<string, { mean: number; std: number; seconds: number; note?: string } | null>> = {
  euclidean: { iris: { mean: 0.9533, std: 0.0340, seconds: 0 }, wine: { mean: 0.9549, std: 0.0229, seconds: 0 }, digits: { mean: 0.9761, std: 0.0099, seconds: 0 } },
  covariance: { iris: { mean: 0.9000, std: 0.0365, seconds: 0.0022 }, wine: { mean: 0.9098, std: 0.0286, seconds: 0.0020 }, digits: { mean: 0.9433, std: 0.0197, seconds: 0.0040 } },
  lmnn: { iris: { mean: 0.9400, std: 0.0249, seconds: 1.54 }, wine: { mean: 0.9832, std: 0.0223, seconds: 0.98 }, digits: { mean: 0.9822, std: 0.0067, seconds: 26.2 } },
  nca: { iris: { mean: 0.9667, std: 0.0365, seconds: 0.033 }, wine: { mean: 0.9830, std: 0.0139, seconds: 0.022 }, digits: { mean: 0.9811, std: 0.0069, seconds: 9.14 } },
  itml: { iris: { mean: 0.9467, std: 0.0267, seconds: 2.56 }, wine: { mean: 0.9832, std: 0.0137, seconds: 0.54 }, digits: { mean: 0.9777, std: 0.0058, seconds: 84.0 } },
  lsml: { iris: { mean: 0.9600, std: 0.0249, seconds: 0.017 }, wine: { mean: 0.9605, std: 0.0231, seconds: 0.028 }, digits: { mean: 0.9777, std: 0.0080, seconds: 0.36 } },
  mmc: { iris: { mean: 0.9667, std: 0.0365, seconds: 1.46 }, wine: { mean: 0.9386, std: 0.0406, seconds: 0.74 }, digits: { mean: 0.8459, std: 0.0154, seconds: 23.2 } },
  sdml: { iris: { mean: 0.9533, std: 0.0340, seconds: 0.008, note: 'defaults fail; balance_param=1e-5' }, wine: { mean: 0.9549, std: 0.0229, seconds: 0.013, note: 'defaults fail' }, digits: { mean: 0.9766, std: 0.0089, seconds: 0.15, note: 'defaults fail' } },
  rca: { iris: { mean: 0.9600, std: 0.0133, seconds: 0.0037, note: 'n_chunks=50' }, wine: { mean: 0.9829, std: 0.0229, seconds: 0.0066, note: 'n_chunks=50' }, digits: null },
  lfda: { iris: { mean: 0.9533, std: 0.0267, seconds: 0.0014 }, wine: { mean: 0.9832, std: 0.0137, seconds: 0.0021 }, digits: { mean: 0.9716, std: 0.0081, seconds: 0.024, note: 'constant columns dropped' } },
  scml: { iris: { mean: 0.9467, std: 0.0163, seconds: 0.38 }, wine: { mean: 0.9830, std: 0.0139, seconds: 0.62 }, digits: { mean: 0.9822, std: 0.0048, seconds: 5.76 } },
};
/** Below this, metric-learn's own note says fit times are too short to compare. */
export const TOO_SHORT = 0.05;

/** One algorithm on one data set, as bench/metric-learn-peer.py reports it. */
export interface LivePeer {
  accuracy?: { mean: number; std: number };
  fitSeconds?: { median: number };
  error?: string | null;
}
export interface LivePeerRun {
  version: string;
  blas?: string;
  results: Record<string, Record<string, LivePeer>>;
}

/** A saved run of bench/metric-learn-peer.py named by BENCH_PEER_RESULTS, or null. */
export function savedPeerRun(): LivePeerRun | null {
  const saved = process.env.BENCH_PEER_RESULTS;
  return saved ? (JSON.parse(readFileSync(saved, 'utf8')) as LivePeerRun) : null;
}
