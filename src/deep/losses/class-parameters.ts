/**
 * What the losses with one learned d-vector per class share (ArcFace/CosFace/SphereFace
 * weights, Proxy-Anchor proxies): the size options, the Gaussian-initialised parameter, and the
 * check that a batch fits it.
 */
import { toRandom } from '../../random.js';
import { describeValue } from '../../matrix.js';
import type { Parameter } from '../types.js';

export interface ClassParameterOptions {
  numClasses: number;
  embeddingSize: number;
  seed?: number;
}

/** Validates numClasses / embeddingSize and draws the C x d parameter from N(0, 1). */
export function classParameter(owner: string, field: string, options: ClassParameterOptions): Parameter {
  if (!options || !Number.isInteger(options.numClasses) || options.numClasses < 2) throw new RangeError(`${owner}: numClasses must be an integer >= 2, got ${describeValue(options?.numClasses)}`);
  if (!Number.isInteger(options.embeddingSize) || options.embeddingSize < 1) throw new RangeError(`${owner}: embeddingSize must be a positive integer (the head's output size), got ${describeValue(options.embeddingSize)}`);
  const { numClasses, embeddingSize } = options;
  const value = toRandom(options.seed).fillNormal(new Float32Array(numClasses * embeddingSize));
  return { name: `${owner}.${field}`, value, grad: new Float32Array(value.length), shape: [numClasses, embeddingSize], noDecay: true };
}

/** The batch must have embeddingSize columns and every label must have its class row. */
export function checkClassBatch(owner: string, d: number, embeddingSize: number, labels: Int32Array, n: number, numClasses: number): void {
  if (d !== embeddingSize) throw new RangeError(`${owner}: embeddings have ${d} columns but the loss was built for embeddingSize ${embeddingSize}`);
  for (let i = 0; i < n; i++) {
    if (!(labels[i] >= 0 && labels[i] < numClasses)) throw new RangeError(`${owner}: label ${labels[i]} at row ${i} is outside 0..${numClasses - 1}; numClasses must cover every class code`);
  }
}
