/** Layers of deep similarity heads. */
export type { Module, ForwardContext, StateBuffer } from './module.js';
export { makeParameter } from './module.js';
export { Linear, type LinearOptions } from './linear.js';
export { Activation, Dropout, L2Normalize, ACTIVATIONS, type ActivationName } from './activation.js';
export { LayerNorm, BatchNorm1d } from './norm.js';
export { Sequential, MLP, mlpSpec, type MlpSpec, type MlpOptions, type NormKind } from './mlp.js';
export { embed } from './embed.js';
export { getState, setState, type NamedArray } from './state.js';
