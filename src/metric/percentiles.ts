/**
 * Percentiles with linear interpolation between order statistics (numpy's default method),
 * found by selection instead of a full sort: ITML takes two of them from ~180 000 prior
 * distances on every fit, where the sort cost more than the rest of the bounds.
 */
import { quickselect } from '../neighbors/select.js';

export function percentiles(values: ArrayLike<number>, qs: readonly number[]): number[] {
  if (values.length === 0) throw new RangeError('percentiles: no values');
  const a = Float64Array.from(values);
  for (let i = 0; i < a.length; i++) if (Number.isNaN(a[i])) throw new RangeError(`percentiles: values[${i}] is NaN`);
  return qs.map((q) => {
    if (!(q >= 0 && q <= 100)) throw new RangeError(`percentiles: each q must be in [0, 100], got ${q}`);
    const pos = (q / 100) * (a.length - 1);
    const lo = Math.floor(pos);
    quickselect(a, lo);
    const below = a[lo];
    if (pos === lo) return below;
    // The next order statistic is the smallest value after position lo.
    let above = Infinity;
    for (let i = lo + 1; i < a.length; i++) if (a[i] < above) above = a[i];
    return below + (pos - lo) * (above - below);
  });
}
