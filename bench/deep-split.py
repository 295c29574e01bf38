"""Prints, as `row,fold` (fold 1 = test), the split of scikit-learn's
train_test_split(X, y, test_size=0.3, stratify=y, random_state=0) for a CSV whose last column
is the class, computed with numpy alone (StratifiedShuffleSplit's steps: allocate train then
test counts per class by the approximate mode, then permute each class, all from one
RandomState(0)). The deep bench uses it to check examples/digits.split.csv, the split of the
pytorch-metric-learning figures in shared/peers/deep.md."""
import csv
import sys

import numpy as np


def approximate_mode(class_counts, n_draws, rng):
    continuous = class_counts / class_counts.sum() * n_draws
    floored = np.floor(continuous)
    need = int(n_draws - floored.sum())
    if need > 0:
        remainder = continuous - floored
        for value in np.sort(np.unique(remainder))[::-1]:
            (inds,) = np.where(remainder == value)
            add = min(len(inds), need)
            floored[rng.choice(inds, size=add, replace=False)] += 1
            need -= add
            if need == 0:
                break
    return floored.astype(int)


with open(sys.argv[1]) as f:
    rows = csv.reader(f)
    next(rows)
    y = np.array([row[-1] for row in rows])
n = len(y)
n_test = int(np.ceil(0.3 * n))
classes, y_idx = np.unique(y, return_inverse=True)
counts = np.bincount(y_idx)
class_indices = np.split(np.argsort(y_idx, kind='mergesort'), np.cumsum(counts)[:-1])
rng = np.random.RandomState(0)
n_i = approximate_mode(counts, n - n_test, rng)
t_i = approximate_mode(counts - n_i, n_test, rng)
fold = np.zeros(n, dtype=int)
for i in range(len(classes)):
    idx = class_indices[i].take(rng.permutation(counts[i]), mode='clip')
    fold[idx[n_i[i]:n_i[i] + t_i[i]]] = 1
print('row,fold')
for i in range(n):
    print(f'{i},{fold[i]}')
