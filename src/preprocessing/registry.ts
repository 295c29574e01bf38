/** Registers the preprocessing model loaders (imported by the CLI and by preprocessing/index). */
import { registerModelLoader } from '../io/model-registry.js';
import { StandardScaler, STANDARD_SCALER_KIND } from './standard-scaler.js';
import { PCA, PCA_KIND } from './pca.js';

registerModelLoader(STANDARD_SCALER_KIND, (p) => StandardScaler.fromModel(p));
registerModelLoader(PCA_KIND, (p) => PCA.fromModel(p));
