/**
 * Turns simlearn's fitted objects into ONNX export specs: a Mahalanobis learner is its linear
 * map L, a deep head its standardisation plus MLP (dropout is the identity at inference and is
 * left out; batch norm uses its running statistics).
 */
import { MahalanobisLearner } from '../metric/base.js';
import { Pipeline } from '../metric/registry.js';
import { DeepHead } from '../deep/head.js';
import { getState } from '../deep/layers/state.js';
import { StandardScaler } from '../preprocessing/standard-scaler.js';
import { PCA } from '../preprocessing/pca.js';
import type { HeadLayerSpec, OnnxExportSpec, Standardisation } from './onnx.js';

function deepHeadSpec(head: DeepHead): OnnxExportSpec {
  const spec = head.spec;
  const state = getState(head.model);
  const get = (name: string) => {
    const a = state[name];
    if (!a) throw new Error(`ONNX export: the head has no parameter "${name}"; its structure does not match its spec`);
    return a.data;
  };
  const layers: HeadLayerSpec[] = [];
  let width = spec.inputDim;
  spec.hidden.forEach((h, i) => {
    const p = `hidden.${i}`;
    layers.push({ kind: 'linear', inFeatures: width, outFeatures: h, weight: get(`${p}.linear.weight`), bias: state[`${p}.linear.bias`]?.data });
    // eps values are the layers' construction defaults (MLP builds them with 1e-5).
    if (spec.norm === 'batch') layers.push({ kind: 'batchnorm', mean: get(`${p}.norm.running_mean`), variance: get(`${p}.norm.running_var`), gamma: get(`${p}.norm.weight`), beta: get(`${p}.norm.bias`), eps: 1e-5 });
    if (spec.norm === 'layer') layers.push({ kind: 'layernorm', gamma: get(`${p}.norm.weight`), beta: get(`${p}.norm.bias`), eps: 1e-5 });
    layers.push({ kind: 'activation', fn: spec.activation });
    width = h;
  });
  layers.push({ kind: 'linear', inFeatures: width, outFeatures: spec.outputDim, weight: get('output.weight'), bias: state['output.bias']?.data });
  if (spec.normalize) layers.push({ kind: 'l2norm', eps: 1e-12 });
  const st = head.standardization;
  return { kind: 'mlp', inFeatures: spec.inputDim, layers, scaler: st ? { mean: st.mean, invScale: st.invScale } : undefined };
}

/**
 * A pipeline of affine steps (standard scaler, PCA, Mahalanobis learners) as a chain of linear
 * layers: a scaler in first position becomes the graph's Sub/Div, later ones diag(1/scale)
 * with bias −mean/scale; PCA is Vᵀ with bias −V·mean (rows divided by √variance when whitened).
 */
function pipelineSpec(p: Pipeline): OnnxExportSpec {
  const steps = p.steps as unknown[];
  let scaler: Standardisation | undefined;
  const layers: HeadLayerSpec[] = [];
  let inFeatures = -1;
  steps.forEach((step, i) => {
    if (step instanceof StandardScaler) {
      if (!step.mean || !step.scale) throw new Error(`ONNX export: pipeline step ${i} (standard scaler) is not fitted`);
      const d = step.scale.length;
      if (i === 0) {
        scaler = { mean: step.mean, scale: step.scale };
      } else {
        const w = new Float64Array(d * d);
        const b = new Float64Array(d);
        for (let j = 0; j < d; j++) {
          w[j * d + j] = 1 / step.scale[j];
          b[j] = -step.mean[j] / step.scale[j];
        }
        layers.push({ kind: 'linear', inFeatures: d, outFeatures: d, weight: w, bias: b });
      }
      if (i === 0) inFeatures = d;
    } else if (step instanceof PCA) {
      const V = step.components;
      const mean = step.mean;
      const ev = step.explainedVariance;
      if (!V || !mean || !ev) throw new Error(`ONNX export: pipeline step ${i} (PCA) is not fitted`);
      const k = V.rows, d = V.cols;
      const w = new Float64Array(k * d);
      const b = new Float64Array(k);
      for (let t = 0; t < k; t++) {
        const f = step.options.whiten ? 1 / Math.sqrt(ev[t]) : 1;
        let dot = 0;
        for (let j = 0; j < d; j++) {
          w[t * d + j] = V.data[t * d + j] * f;
          dot += V.data[t * d + j] * mean[j];
        }
        b[t] = -dot * f;
      }
      layers.push({ kind: 'linear', inFeatures: d, outFeatures: k, weight: w, bias: b });
      if (i === 0) inFeatures = d;
    } else if (step instanceof MahalanobisLearner) {
      const L = step.components;
      // L is nComponents x nFeatures, exactly the out x in weight layout of a linear layer.
      layers.push({ kind: 'linear', inFeatures: L.cols, outFeatures: L.rows, weight: L.data });
      if (i === 0) inFeatures = L.cols;
    } else {
      throw new TypeError(`ONNX export: pipeline step ${i} is not a scaler, PCA or Mahalanobis learner, so the pipeline has no linear form to export`);
    }
  });
  return { kind: 'mlp', inFeatures, layers, scaler };
}

/** The export spec of a fitted model object, or a clear error for kinds that have no ONNX form. */
export function onnxSpecFromModel(model: unknown, kind = 'model'): OnnxExportSpec {
  if (model instanceof DeepHead) return deepHeadSpec(model);
  if (model instanceof Pipeline) return pipelineSpec(model);
  if (model instanceof MahalanobisLearner) {
    const L = model.components;
    return { kind: 'linear', components: { rows: L.rows, cols: L.cols, data: L.data } };
  }
  throw new TypeError(`ONNX export supports Mahalanobis learners (metric/*), pipelines of scalers, PCA and learners (pipeline), and deep heads (deep/head); "${kind}" has no linear or MLP form to export`);
}
