/** Registers the deep-learning model kinds with the model registry (imported by the CLI). */
import { registerModelLoader } from '../io/model-registry.js';
import { DeepHead, HEAD_KIND } from './head.js';

registerModelLoader(HEAD_KIND, (p) => DeepHead.fromModel(p));
