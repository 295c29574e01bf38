/**
 * ONNX export of learned transforms, so Python, onnxruntime, and vector-database ingestion
 * pipelines can embed vectors exactly as simlearn does.
 *
 * - A Mahalanobis learner is the linear map x ↦ L x (row form X Lᵀ): one MatMul with the
 *   initializer Lᵀ, after an optional standardisation (x − mean) / scale baked in as Sub/Div.
 * - An MLP head is a chain of Gemm (y = x Wᵀ + b, PyTorch weight layout) and elementwise
 *   activations, optionally ending in L2 normalisation written as ReduceL2 → Max(eps) → Div, which
 *   matches x / max(‖x‖, eps) exactly (LpNormalization has no eps and would differ at 0).
 *
 * Graph input "input" [batch, nFeatures], output "embedding" [batch, nComponents]; opset 17.
 */
import { encodeOnnxModel, type OnnxElemType, type OnnxGraph, type OnnxNode, type OnnxTensor } from './onnx-proto.js';
import { VERSION } from '../version.js';

export const ONNX_OPSET = 17;

/**
 * Per-feature standardisation baked into the graph: (x − mean) / scale, or (x − mean) · invScale
 * when the model stores the reciprocal (so the exported graph rounds exactly as the model does).
 */
export type Standardisation =
  /** Divisor per feature (a standard deviation); zeros are treated as 1 as StandardScaler does. */
  | { mean: ArrayLike<number>; scale: ArrayLike<number> }
  | { mean: ArrayLike<number>; invScale: ArrayLike<number> };

export interface LinearExportSpec {
  kind: 'linear';
  /** L: nComponents x nFeatures, row-major. */
  components: { rows: number; cols: number; data: ArrayLike<number> };
  scaler?: Standardisation;
}

export type Activation = 'relu' | 'tanh' | 'sigmoid' | 'softplus' | 'gelu' | 'gelu_tanh' | 'leaky_relu' | 'identity';

export type HeadLayerSpec =
  /** y = x Wᵀ + b with W outFeatures x inFeatures (row-major), as torch.nn.Linear. */
  | { kind: 'linear'; inFeatures: number; outFeatures: number; weight: ArrayLike<number>; bias?: ArrayLike<number> }
  | { kind: 'activation'; fn: Activation; negativeSlope?: number }
  /** y = x / max(‖x‖₂, eps) per row. */
  | { kind: 'l2norm'; eps?: number }
  /** Inference-mode batch norm: (x − mean) / sqrt(var + eps) · gamma + beta. */
  | { kind: 'batchnorm'; mean: ArrayLike<number>; variance: ArrayLike<number>; gamma?: ArrayLike<number>; beta?: ArrayLike<number>; eps: number }
  /** Per-row layer norm: (x − mean(x)) / sqrt(var(x) + eps) · gamma + beta (ONNX LayerNormalization, opset 17). */
  | { kind: 'layernorm'; gamma: ArrayLike<number>; beta: ArrayLike<number>; eps: number };

export interface MlpExportSpec {
  kind: 'mlp';
  inFeatures: number;
  layers: HeadLayerSpec[];
  scaler?: Standardisation;
}

export type OnnxExportSpec = LinearExportSpec | MlpExportSpec;

export interface OnnxExportOptions {
  /** Element type of the graph (default float32, what vector stores and most runtimes use). */
  dtype?: OnnxElemType;
  /** Free-form metadata stored in the model (e.g. the simlearn kind and algorithm). */
  metadata?: Record<string, string>;
  graphName?: string;
}

/** Builds a graph incrementally with unique tensor names. */
class GraphBuilder {
  nodes: OnnxNode[] = [];
  initializers: OnnxTensor[] = [];
  private counter = 0;
  constructor(readonly dtype: OnnxElemType) {}

  name(prefix: string): string {
    return `${prefix}_${this.counter++}`;
  }

  constant(prefix: string, dims: number[], values: ArrayLike<number>): string {
    const name = this.name(prefix);
    const data = this.dtype === 'float64' ? Float64Array.from(values) : Float32Array.from(values);
    this.initializers.push({ name, dims, data });
    return name;
  }

  op(op: string, inputs: string[], attributes?: OnnxNode['attributes'], output?: string): string {
    const out = output ?? this.name(op.toLowerCase());
    this.nodes.push({ op, inputs, outputs: [out], attributes });
    return out;
  }
}

function checkFinite(values: ArrayLike<number>, what: string): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) throw new RangeError(`ONNX export: ${what}[${i}] is ${values[i]}; the model holds non-finite values and cannot be exported`);
  }
}

function applyScaler(g: GraphBuilder, x: string, s: Standardisation, d: number): string {
  const factor = 'invScale' in s ? s.invScale : s.scale;
  if (s.mean.length !== d || factor.length !== d) throw new RangeError(`ONNX export: scaler has ${s.mean.length} means and ${factor.length} scales but the model takes ${d} features`);
  checkFinite(s.mean, 'scaler.mean');
  checkFinite(factor, 'scaler.scale');
  const centred = g.op('Sub', [x, g.constant('mean', [d], s.mean)]);
  if ('invScale' in s) return g.op('Mul', [centred, g.constant('inv_scale', [d], s.invScale)]);
  return g.op('Div', [centred, g.constant('scale', [d], Array.from(s.scale, (v) => (v === 0 ? 1 : v)))]);
}

function applyActivation(g: GraphBuilder, x: string, fn: Activation, negativeSlope = 0.01): string {
  switch (fn) {
    case 'identity': return x;
    case 'relu': return g.op('Relu', [x]);
    case 'tanh': return g.op('Tanh', [x]);
    case 'sigmoid': return g.op('Sigmoid', [x]);
    case 'softplus': return g.op('Softplus', [x]);
    case 'leaky_relu': return g.op('LeakyRelu', [x], { alpha: { float: negativeSlope } });
    case 'gelu': {
      // Exact GELU: 0.5 · x · (1 + erf(x / √2)); the Gelu op itself only arrives in opset 20.
      const e = g.op('Erf', [g.op('Div', [x, g.constant('sqrt2', [], [Math.SQRT2])])]);
      const onePlus = g.op('Add', [e, g.constant('one', [], [1])]);
      return g.op('Mul', [g.op('Mul', [x, onePlus]), g.constant('half', [], [0.5])]);
    }
    case 'gelu_tanh': {
      // 0.5 · x · (1 + tanh(√(2/π) · (x + 0.044715 x³)))
      const x3 = g.op('Mul', [g.op('Mul', [x, x]), x]);
      const inner = g.op('Add', [x, g.op('Mul', [x3, g.constant('c', [], [0.044715])])]);
      const t = g.op('Tanh', [g.op('Mul', [inner, g.constant('k', [], [Math.sqrt(2 / Math.PI)])])]);
      const onePlus = g.op('Add', [t, g.constant('one', [], [1])]);
      return g.op('Mul', [g.op('Mul', [x, onePlus]), g.constant('half', [], [0.5])]);
    }
    default: throw new RangeError(`ONNX export: unsupported activation "${fn as string}"`);
  }
}

function buildLinear(g: GraphBuilder, x: string, spec: LinearExportSpec): { out: string; inDim: number; outDim: number } {
  const { rows: k, cols: d, data } = spec.components;
  if (data.length !== k * d || k < 1 || d < 1) throw new RangeError(`ONNX export: components must be a non-empty ${k} x ${d} matrix, got ${data.length} values`);
  checkFinite(data, 'components');
  let h = spec.scaler ? applyScaler(g, x, spec.scaler, d) : x;
  // MatMul wants the right operand as d x k, i.e. Lᵀ.
  const lt = new Float64Array(d * k);
  for (let i = 0; i < k; i++) for (let j = 0; j < d; j++) lt[j * k + i] = data[i * d + j];
  h = g.op('MatMul', [h, g.constant('components_t', [d, k], lt)]);
  return { out: h, inDim: d, outDim: k };
}

function buildMlp(g: GraphBuilder, x: string, spec: MlpExportSpec): { out: string; inDim: number; outDim: number } {
  let dim = spec.inFeatures;
  if (!(dim >= 1)) throw new RangeError(`ONNX export: inFeatures must be >= 1, got ${dim}`);
  let h = spec.scaler ? applyScaler(g, x, spec.scaler, dim) : x;
  spec.layers.forEach((layer, li) => {
    switch (layer.kind) {
      case 'linear': {
        if (layer.inFeatures !== dim) throw new RangeError(`ONNX export: layer ${li} expects ${layer.inFeatures} inputs but receives ${dim}`);
        if (layer.weight.length !== layer.inFeatures * layer.outFeatures) throw new RangeError(`ONNX export: layer ${li} weight has ${layer.weight.length} values, expected ${layer.outFeatures} x ${layer.inFeatures}`);
        checkFinite(layer.weight, `layer ${li} weight`);
        const inputs = [h, g.constant(`w${li}`, [layer.outFeatures, layer.inFeatures], layer.weight)];
        if (layer.bias) {
          if (layer.bias.length !== layer.outFeatures) throw new RangeError(`ONNX export: layer ${li} bias has ${layer.bias.length} values, expected ${layer.outFeatures}`);
          checkFinite(layer.bias, `layer ${li} bias`);
          inputs.push(g.constant(`b${li}`, [layer.outFeatures], layer.bias));
        }
        h = g.op('Gemm', inputs, { transB: { int: 1 } });
        dim = layer.outFeatures;
        break;
      }
      case 'activation':
        h = applyActivation(g, h, layer.fn, layer.negativeSlope);
        break;
      case 'batchnorm': {
        const n = layer.mean.length;
        if (n !== dim || layer.variance.length !== dim) throw new RangeError(`ONNX export: batch norm at layer ${li} has ${n} features but receives ${dim}`);
        // Folded into one affine map a·x + c: fewer nodes, and identical in exact arithmetic.
        const a = new Float64Array(dim);
        const c = new Float64Array(dim);
        for (let j = 0; j < dim; j++) {
          const gamma = layer.gamma ? layer.gamma[j] : 1;
          const beta = layer.beta ? layer.beta[j] : 0;
          a[j] = gamma / Math.sqrt(layer.variance[j] + layer.eps);
          c[j] = beta - layer.mean[j] * a[j];
        }
        checkFinite(a, `layer ${li} batchnorm scale`);
        h = g.op('Add', [g.op('Mul', [h, g.constant(`bn_a${li}`, [dim], a)]), g.constant(`bn_c${li}`, [dim], c)]);
        break;
      }
      case 'layernorm': {
        if (layer.gamma.length !== dim || layer.beta.length !== dim) throw new RangeError(`ONNX export: layer norm at layer ${li} has ${layer.gamma.length} features but receives ${dim}`);
        checkFinite(layer.gamma, `layer ${li} layernorm gamma`);
        checkFinite(layer.beta, `layer ${li} layernorm beta`);
        h = g.op('LayerNormalization', [h, g.constant(`ln_g${li}`, [dim], layer.gamma), g.constant(`ln_b${li}`, [dim], layer.beta)], { axis: { int: -1 }, epsilon: { float: layer.eps } });
        break;
      }
      case 'l2norm': {
        const norm = g.op('ReduceL2', [h], { axes: { ints: [1] }, keepdims: { int: 1 } });
        const safe = g.op('Max', [norm, g.constant('eps', [], [layer.eps ?? 1e-12])]);
        h = g.op('Div', [h, safe]);
        break;
      }
      default: throw new RangeError(`ONNX export: unsupported layer kind at ${li}`);
    }
  });
  return { out: h, inDim: spec.inFeatures, outDim: dim };
}

/** Returns the bytes of an .onnx file computing the given transform. */
export function exportOnnx(spec: OnnxExportSpec, options: OnnxExportOptions = {}): Uint8Array {
  const dtype = options.dtype ?? 'float32';
  const g = new GraphBuilder(dtype);
  const built = spec.kind === 'linear' ? buildLinear(g, 'input', spec) : buildMlp(g, 'input', spec);
  // The last node writes straight to "embedding"; a graph whose output is its input needs an Identity.
  if (g.nodes.length === 0 || g.nodes[g.nodes.length - 1].outputs[0] !== built.out) g.op('Identity', [built.out], undefined, 'embedding');
  else g.nodes[g.nodes.length - 1].outputs[0] = 'embedding';
  const graph: OnnxGraph = {
    name: options.graphName ?? `simlearn_${spec.kind}`,
    nodes: g.nodes,
    initializers: g.initializers,
    inputs: [{ name: 'input', elemType: dtype, shape: ['batch', built.inDim] }],
    outputs: [{ name: 'embedding', elemType: dtype, shape: ['batch', built.outDim] }],
  };
  return encodeOnnxModel({
    graph,
    opset: ONNX_OPSET,
    producerName: 'simlearn',
    producerVersion: VERSION,
    doc: `simlearn ${spec.kind} transform: input [batch, ${built.inDim}] -> embedding [batch, ${built.outDim}]`,
    metadata: { 'simlearn.kind': spec.kind, 'simlearn.version': VERSION, ...options.metadata },
  });
}
