/**
 * A trained similarity head as a model: optional input standardisation (the training set's
 * z-score, stored with the weights so raw inputs cannot be fed unscaled by mistake) followed
 * by the MLP. `transform(X)` gives the embeddings; `toPayload()` / `DeepHead.fromModel()` go
 * through the simlearn model file as kind 'deep/head'.
 */
import { Matrix, asMatrix, type FloatArray } from '../matrix.js';
import { saveModel, loadModel, type ModelPayload, type ModelArray } from '../io/model-file.js';
import { StandardScaler } from '../preprocessing/standard-scaler.js';
import { MLP, mlpSpec, type MlpOptions, type MlpSpec } from './layers/mlp.js';
import { embed } from './layers/embed.js';
import { getState, setState } from './layers/state.js';

export const HEAD_KIND = 'deep/head';
const HEAD_VERSION = 1;

/** Per-feature z-score: (x − mean) · invScale. */
export interface Standardization {
  mean: Float32Array;
  invScale: Float32Array;
}

/** Training-set statistics for z-scoring, fitted by the preprocessing StandardScaler (scikit-learn's rules). */
export function fitStandardization(X: Matrix<FloatArray>): Standardization {
  const sc = new StandardScaler().fit(X);
  return { mean: Float32Array.from(sc.mean!), invScale: Float32Array.from(sc.scale!, (v) => 1 / v) };
}

export function applyStandardization(X: Matrix<FloatArray>, s: Standardization): Matrix<Float32Array> {
  const n = X.rows, d = X.cols;
  if (d !== s.mean.length) throw new RangeError(`standardization: X has ${d} features, the statistics have ${s.mean.length}`);
  const out = new Float32Array(n * d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) out[i * d + j] = (X.data[i * d + j] - s.mean[j]) * s.invScale[j];
  return new Matrix(n, d, out);
}

export interface DeepHeadOptions {
  standardization?: Standardization | null;
  /** Free-form description of how the head was trained (loss, miner, metrics, encoder). */
  info?: Record<string, unknown>;
}

export class DeepHead {
  readonly model: MLP;
  readonly standardization: Standardization | null;
  info: Record<string, unknown>;

  constructor(model: MLP | MlpOptions, options: DeepHeadOptions = {}) {
    this.model = model instanceof MLP ? model : new MLP(model);
    this.standardization = options.standardization ?? null;
    if (this.standardization && this.standardization.mean.length !== this.model.spec.inputDim) {
      throw new RangeError(`DeepHead: standardization has ${this.standardization.mean.length} features, the MLP expects ${this.model.spec.inputDim}`);
    }
    this.info = options.info ?? {};
  }

  get spec(): MlpSpec {
    return this.model.spec;
  }

  get inputDim(): number {
    return this.model.spec.inputDim;
  }

  get outputDim(): number {
    return this.model.spec.outputDim;
  }

  /** The head's input: X standardised with the stored statistics (float32). */
  prepare(X: Matrix<FloatArray> | ArrayLike<ArrayLike<number>>): Matrix<Float32Array> {
    const m = asMatrix(X, 'X', 'float32') as Matrix<Float32Array>;
    if (m.cols !== this.inputDim) {
      const enc = this.info.encoder as { path?: string } | null | undefined;
      const hint = enc?.path ? `; it was trained on the outputs of the encoder ${enc.path}, so encode the data with it first` : '';
      throw new RangeError(`DeepHead.transform: X has ${m.cols} features, the head was trained on ${this.inputDim}${hint}`);
    }
    return this.standardization ? applyStandardization(m, this.standardization) : m;
  }

  /** Embeddings of the rows of X (n x outputDim, float32). */
  transform(X: Matrix<FloatArray> | ArrayLike<ArrayLike<number>>): Matrix<Float32Array> {
    return embed(this.model, this.prepare(X));
  }

  toPayload(): ModelPayload {
    const arrays: Record<string, ModelArray> = {};
    for (const [name, a] of Object.entries(getState(this.model))) arrays[`param.${name}`] = a;
    if (this.standardization) {
      arrays['standardization.mean'] = { shape: [this.inputDim], data: this.standardization.mean.slice() };
      arrays['standardization.invScale'] = { shape: [this.inputDim], data: this.standardization.invScale.slice() };
    }
    return { kind: HEAD_KIND, version: HEAD_VERSION, meta: { spec: { ...this.spec, hidden: [...this.spec.hidden] }, info: this.info }, arrays };
  }

  static fromModel(p: ModelPayload): DeepHead {
    if (p.kind !== HEAD_KIND) throw new Error(`DeepHead.fromModel: the file holds a "${p.kind}" model, not "${HEAD_KIND}"`);
    if ((p.version ?? 1) > HEAD_VERSION) throw new Error(`DeepHead.fromModel: layout version ${p.version} is newer than this simlearn reads (${HEAD_VERSION}); upgrade simlearn`);
    const spec = p.meta.spec as MlpSpec | undefined;
    if (!spec || typeof spec !== 'object') throw new Error('DeepHead.fromModel: the file has no head structure (meta.spec)');
    const model = new MLP(mlpSpec(spec));
    const state: Record<string, { shape: number[]; data: ArrayLike<number> }> = {};
    for (const [k, a] of Object.entries(p.arrays)) if (k.startsWith('param.')) state[k.slice(6)] = a;
    setState(model, state, 'deep/head');
    const mean = p.arrays['standardization.mean'];
    const inv = p.arrays['standardization.invScale'];
    const standardization = mean && inv ? { mean: Float32Array.from(mean.data), invScale: Float32Array.from(inv.data) } : null;
    return new DeepHead(model, { standardization, info: (p.meta.info as Record<string, unknown>) ?? {} });
  }

  save(path: string): void {
    saveModel(path, this.toPayload());
  }

  static load(path: string): DeepHead {
    return DeepHead.fromModel(loadModel(path));
  }
}
