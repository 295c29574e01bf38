/**
 * Model-file loaders for the weakly supervised forms ('metric/itml-pairs', 'metric/mmc-pairs',
 * 'metric/sdml-pairs', 'metric/lsml-quadruplets', 'metric/scml-triplets'). Their supervised
 * forms load through the algorithm registry like every other learner; these are not in it
 * (they fit from tuples, not from (X, y)), so they register here, ahead of the generic
 * 'metric' loader (the longest kind prefix wins). Pair learners keep their threshold.
 */
import type { ModelPayload } from '../io/model-file.js';
import { registerModelLoader } from '../io/model-registry.js';
import type { MahalanobisLearner } from './base.js';
import { ITML } from './itml.js';
import { MMC } from './mmc.js';
import { SDML } from './sdml.js';
import { LSML } from './lsml.js';
import { SCML } from './scml.js';

type Restorable = MahalanobisLearner & { restoreState(s: Parameters<MahalanobisLearner['restoreState']>[0] & { threshold?: number | null }): unknown };

const weakKinds: Record<string, (options: Record<string, unknown>) => Restorable> = {
  'itml-pairs': (o) => new ITML(o),
  'mmc-pairs': (o) => new MMC(o),
  'sdml-pairs': (o) => new SDML(o),
  'lsml-quadruplets': (o) => new LSML(o),
  'scml-triplets': (o) => new SCML(o),
};

function load(p: ModelPayload): MahalanobisLearner {
  const algo = p.kind.slice('metric/'.length);
  const make = weakKinds[algo];
  if (!make) throw new Error(`${p.kind}: not a weakly supervised learner kind`);
  const a = p.arrays.components;
  if (!a || a.shape.length !== 2 || a.shape[0] * a.shape[1] !== a.data.length) throw new Error(`${p.kind}: the components array is missing or malformed`);
  const meta = p.meta as { options?: Record<string, unknown>; nIter?: number; converged?: boolean; warnings?: string[]; threshold?: number | null };
  const learner = make({ ...(meta.options ?? {}) });
  learner.restoreState({
    components: { rows: a.shape[0], cols: a.shape[1], data: Array.from(a.data) },
    nIter: meta.nIter ?? 0,
    converged: meta.converged ?? true,
    warnings: meta.warnings ?? [],
    threshold: typeof meta.threshold === 'number' ? meta.threshold : null,
  });
  return learner;
}

for (const kind of Object.keys(weakKinds)) registerModelLoader(`metric/${kind}`, load);
