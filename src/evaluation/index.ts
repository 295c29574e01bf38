/** Evaluation metrics: retrieval, verification, clustering and classification. */
export * from './retrieval.js';
export * from './clustering.js';
export * from './classification.js';
export * from './verification.js';
export * from './cross-validate.js';
