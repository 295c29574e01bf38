/**
 * Shared by `simlearn export` and `simlearn report`: read a dataset (or item set) and embed it
 * with a loaded model, keeping ids and labels row-aligned.
 */
import type { Matrix, FloatArray } from '../matrix.js';
import type { SimilarityModel } from '../service/similarity-model.js';
import { loadItems, type ItemId } from '../service/items.js';

export interface EmbeddedData {
  ids: ItemId[];
  labels: (string | number)[] | null;
  X: Matrix<Float64Array>;
  Z: Matrix<FloatArray>;
}

export function embedDataFile(model: SimilarityModel, path: string, options: { label?: string; id?: string } = {}): EmbeddedData {
  const items = loadItems(path, options);
  if (model.nFeatures !== undefined && model.nFeatures !== items.X.cols) {
    throw new RangeError(`${path} has ${items.X.cols} feature columns but the model takes ${model.nFeatures}; pass the data the model was fitted on (name its label column with --label)`);
  }
  return { ...items, Z: model.transform(items.X) };
}
