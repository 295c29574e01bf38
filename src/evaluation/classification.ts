/**
 * Classification accuracy and the confusion matrix.
 *   accuracy = (1/N) Σ_i [ŷ_i = y_i]
 *   C[i][j]  = number of items whose true label is labels[i] and predicted label is labels[j]
 *              (rows = truth, columns = prediction, as scikit-learn's confusion_matrix).
 */
export type Label = number | string;

function check(yTrue: ArrayLike<Label>, yPred: ArrayLike<Label>): void {
  if (yTrue.length !== yPred.length) throw new RangeError(`yTrue has ${yTrue.length} labels but yPred has ${yPred.length}; they must describe the same items`);
  if (yTrue.length === 0) throw new RangeError('accuracy: no labels to compare');
}

export function accuracy(yTrue: ArrayLike<Label>, yPred: ArrayLike<Label>): number {
  check(yTrue, yPred);
  let ok = 0;
  for (let i = 0; i < yTrue.length; i++) if (String(yTrue[i]) === String(yPred[i])) ok++;
  return ok / yTrue.length;
}

export interface ConfusionMatrix {
  /** Row/column order: the given labels, else every label seen, sorted (numbers numerically). */
  labels: Label[];
  matrix: number[][];
}

export function confusionMatrix(yTrue: ArrayLike<Label>, yPred: ArrayLike<Label>, labels?: Label[]): ConfusionMatrix {
  check(yTrue, yPred);
  let order: Label[];
  if (labels) {
    order = labels;
  } else {
    const seen = new Map<string, Label>();
    for (let i = 0; i < yTrue.length; i++) { seen.set(String(yTrue[i]), yTrue[i]); seen.set(String(yPred[i]), yPred[i]); }
    order = [...seen.values()].sort((a, b) => (typeof a === 'number' && typeof b === 'number' ? a - b : String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0));
  }
  const pos = new Map(order.map((l, i) => [String(l), i]));
  if (pos.size !== order.length) throw new RangeError('confusionMatrix: labels contains duplicates');
  const matrix = order.map(() => new Array<number>(order.length).fill(0));
  for (let i = 0; i < yTrue.length; i++) {
    const r = pos.get(String(yTrue[i]));
    const c = pos.get(String(yPred[i]));
    if (r === undefined || c === undefined) continue; // labels outside the given list are ignored, as scikit-learn does
    matrix[r][c]++;
  }
  return { labels: order, matrix };
}
