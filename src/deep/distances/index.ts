export { LpDistance, SquaredL2Distance, type LpDistanceOptions } from './lp.js';
export { CosineSimilarity } from './cosine.js';
export { DotProductSimilarity } from './dot.js';
export { distanceByName, resolveDistance, DISTANCE_NAMES, type DistanceName } from './by-name.js';
export { pairwiseF64, backwardF64, isPrecise, gap, type PreciseDistance } from './base.js';
