/**
 * The conformance suite every Mahalanobis learner runs (in the spirit of scikit-learn's
 * check_estimator). Part II learners import it too:
 *
 *   runConformance('itml', (o) => new ITML(o), (m, X, y) => m.fit(X, y));
 *
 * It registers node:test cases, so call it at the top level of a test file.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Matrix } from '../../src/matrix.js';
import { readDataset } from '../../src/io/index.js';
import { StandardScaler } from '../../src/preprocessing/standard-scaler.js';
import { MahalanobisLearner, componentsFromMetric, NotFittedError } from '../../src/metric/base.js';
import { encodeModel, decodeModel } from '../../src/io/model-file.js';
import { modelFromPayload } from '../../src/io/model-registry.js';
import { getBackend } from '../../src/backend/index.js';
import '../../src/metric/registry.js';
import { DATA, maxAbsDiff } from '../helpers.js';

export interface LabelledSet {
  X: Matrix<Float64Array>;
  y: (number | string)[];
}

export interface ConformanceOptions {
  /** Training data; default: a z-scored, class-balanced 60-row subset of iris. */
  data?: LabelledSet;
  /** A second, different training set for the refit test; default: another iris subset. */
  data2?: LabelledSet;
  /** Whether labels are class labels (default) or real targets (no single-class check). */
  task?: 'classification' | 'regression';
  /** The option naming the output dimension, if the learner has one (checked against nFeatures). */
  nComponentsOption?: string | null;
  /** The learner ignores labels (e.g. Covariance): a single class is then not an error. */
  labelsIgnored?: boolean;
  /** Tolerance for the equalities (default 1e-9 relative). */
  tol?: number;
}

/** A z-scored, class-balanced subset of a data set (rows i with i % stride == offset). */
export function subset(name: string, stride: number, offset = 0): LabelledSet {
  const ds = readDataset(join(DATA, `${name}.csv`));
  const rows: number[] = [];
  for (let i = offset; i < ds.X.rows; i += stride) rows.push(i);
  const X = ds.X.takeRows(rows);
  const Z = new StandardScaler().fit(X).transform(X).toFloat64();
  return { X: Z, y: rows.map((i) => (ds.y as (number | string)[])[i]) };
}

type Learner = MahalanobisLearner & { fit?: unknown };

function closeRel(a: ArrayLike<number>, b: ArrayLike<number>, tol: number): boolean {
  let scale = 1;
  for (let i = 0; i < a.length; i++) scale = Math.max(scale, Math.abs(a[i]));
  return maxAbsDiff(a, b) <= tol * scale;
}

export function runConformance(
  name: string,
  makeLearner: (options: Record<string, unknown>) => Learner,
  fitFn: (learner: Learner, X: Matrix<Float64Array> | number[][], y: (number | string)[]) => unknown,
  options: ConformanceOptions = {},
): void {
  const tol = options.tol ?? 1e-9;
  const task = options.task ?? 'classification';
  const nCompOpt = options.nComponentsOption === undefined ? 'nComponents' : options.nComponentsOption;
  describe(`${name}: conformance`, () => {
    const data = options.data ?? subset('iris', 150 / 60 | 0);
    const data2 = options.data2 ?? subset('iris', 3, 1);
    const fitted = () => {
      const m = makeLearner({ seed: 7 });
      const r = fitFn(m, data.X, data.y);
      assert.equal(r === undefined || r === m, true, 'fit returns the learner');
      return m;
    };
    const model = fitted();

    test('fit is deterministic for a seed', () => {
      const again = fitted();
      assert.deepEqual(Array.from(again.components.data), Array.from(model.components.data));
    });

    test('learned state is read-only and well-formed', () => {
      const L = model.components;
      assert.equal(L.cols, data.X.cols);
      assert.ok(L.rows >= 1 && L.rows <= data.X.cols);
      L.data[0] += 1; // a copy: the model must not change
      assert.notEqual(model.components.data[0], L.data[0]);
      assert.ok(Number.isInteger(model.nIter) && model.nIter >= 0);
      assert.equal(typeof model.converged, 'boolean');
      assert.ok(typeof model.params === 'object');
    });

    test('refit does not leak state, and earlier metric functions are unaffected', () => {
      const m = makeLearner({ seed: 7 });
      fitFn(m, data.X, data.y);
      const metric = m.getMetric();
      const a = data.X.row(0), b = data.X.row(1);
      const before = metric(a, b);
      fitFn(m, data2.X, data2.y);
      const fresh = makeLearner({ seed: 7 });
      fitFn(fresh, data2.X, data2.y);
      assert.deepEqual(Array.from(m.components.data), Array.from(fresh.components.data));
      assert.equal(metric(a, b), before);
    });

    test('transform is X Lᵀ with shape n x nComponents', () => {
      const Z = model.transform(data.X);
      const L = model.components;
      assert.equal(Z.rows, data.X.rows);
      assert.equal(Z.cols, model.nComponents);
      const i = 3;
      for (let r = 0; r < L.rows; r++) {
        let s = 0;
        for (let c = 0; c < L.cols; c++) s += L.get(r, c) * data.X.get(i, c);
        assert.ok(Math.abs(s - Z.get(i, r)) <= tol * (1 + Math.abs(s)));
      }
    });

    test('pairDistance = ‖L(x − x′)‖ = metric function, pairScore = −distance', () => {
      const L = model.components;
      const metric = model.getMetric();
      const pairs: number[][][] = [];
      for (let p = 0; p < 10; p++) pairs.push([Array.from(data.X.row(p)), Array.from(data.X.row(data.X.rows - 1 - p))]);
      const d = model.pairDistance(pairs);
      const s = model.pairScore(pairs);
      pairs.forEach(([a, b], p) => {
        let sq = 0;
        for (let r = 0; r < L.rows; r++) {
          let t = 0;
          for (let c = 0; c < L.cols; c++) t += L.get(r, c) * (a[c] - b[c]);
          sq += t * t;
        }
        assert.ok(Math.abs(Math.sqrt(sq) - d[p]) <= tol * (1 + d[p]), `pair ${p}`);
        assert.ok(Math.abs(metric(a, b) - d[p]) <= tol * (1 + d[p]));
        assert.equal(s[p], -d[p]);
      });
      // The indexed tuple form agrees with the explicit one.
      const idx = model.pairDistance({ points: data.X, indices: pairs.map((_, p) => [p, data.X.rows - 1 - p]) });
      assert.ok(closeRel(idx, d, tol));
    });

    test('M is symmetric PSD and componentsFromMetric(M) reproduces the distances', () => {
      const M = model.getMahalanobisMatrix();
      const n = M.rows;
      for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) assert.ok(Math.abs(M.get(i, j) - M.get(j, i)) <= 1e-12 * (1 + Math.abs(M.get(i, j))));
      const { values } = getBackend().eigh(M.data, n);
      assert.ok(values[0] >= -1e-9 * Math.max(1, values[n - 1]), `smallest eigenvalue ${values[0]}`);
      const L2 = componentsFromMetric(M, 1e-12);
      const Z1 = model.transform(data.X), Z2 = new Matrix(data.X.rows, L2.rows, new Float64Array(data.X.rows * L2.rows));
      getBackend().gemm(false, true, data.X.rows, L2.rows, L2.cols, 1, data.X.data, data.X.cols, L2.data, L2.cols, 0, Z2.data, L2.rows);
      const D1 = getBackend().sqeuclidean(Z1.data, Z1.rows, Z1.data, Z1.rows, Z1.cols);
      const D2 = getBackend().sqeuclidean(Z2.data, Z2.rows, Z2.data, Z2.rows, Z2.cols);
      assert.ok(closeRel(D1, D2, 1e-7));
    });

    test('save/load round trip gives identical outputs', () => {
      const bytes = encodeModel(model.toPayload());
      const back = modelFromPayload(decodeModel(bytes)) as Learner;
      assert.equal(back.algorithm, model.algorithm);
      assert.deepEqual(Array.from(back.transform(data.X).data), Array.from(model.transform(data.X).data));
      assert.deepEqual(back.params, model.params);
      assert.equal(back.nIter, model.nIter);
      assert.equal(back.converged, model.converged);
      const viaJson = makeLearner({ seed: 7 }).restoreState(JSON.parse(JSON.stringify(model.toJSON())));
      assert.deepEqual(Array.from(viaJson.components.data), Array.from(model.components.data));
    });

    test('bad inputs raise clear errors before any work', () => {
      const fresh = () => makeLearner({ seed: 7 });
      assert.throws(() => fresh().transform(data.X), NotFittedError);
      const bad = data.X.clone();
      bad.data[5] = NaN;
      assert.throws(() => fitFn(fresh(), bad, data.y), /NaN|non-finite|finite/);
      bad.data[5] = Infinity;
      assert.throws(() => fitFn(fresh(), bad, data.y), /Infinity|non-finite|finite/);
      assert.throws(() => fitFn(fresh(), data.X, data.y.slice(1)), /rows|labels|targets|length/);
      const ragged = data.X.toArrays();
      ragged[2] = ragged[2].slice(1);
      assert.throws(() => fitFn(fresh(), ragged, data.y), /row 2|ragged|same length/);
      if (task === 'classification' && !options.labelsIgnored) {
        assert.throws(() => fitFn(fresh(), data.X, data.y.map(() => data.y[0])), /class/);
      }
      if (nCompOpt) {
        assert.throws(() => fitFn(makeLearner({ seed: 7, [nCompOpt]: data.X.cols + 1 }), data.X, data.y), /nComponents|components/);
      }
      assert.throws(() => model.transform(new Matrix(2, data.X.cols + 1, new Float64Array(2 * (data.X.cols + 1)))), /features/);
    });
  });
}
