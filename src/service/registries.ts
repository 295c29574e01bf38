/** Side-effect imports that register the model loaders of every area (see src/io/model-registry.ts). */
import '../metric/registry.js';
import '../preprocessing/registry.js';
import '../deep/registry.js';
