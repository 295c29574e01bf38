/** Optimisers, learning-rate schedules and gradient clipping. */
export { Optimizer } from './optimizer.js';
export { SGD, type SgdOptions } from './sgd.js';
export { Adam, AdamW, type AdamOptions } from './adam.js';
export { makeSchedule, type LrSchedule, type ScheduleSpec } from './schedule.js';
export { clipGradNorm, clipGradValue } from './clip.js';
