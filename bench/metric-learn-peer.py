#!/usr/bin/env python3
"""
Runs metric-learn itself under the protocol of record (shared/peers/metric-learn.md), so that
bench/metric.bench.ts can compare fit times measured on the same machine.

For each data set and algorithm, for each fold of NAME.folds.csv: z-score fitted on the training
part, learner fitted on it with default hyperparameters (weakly supervised learners in their
`_Supervised` form with random_state=0; where the peers file records that the defaults fail, the
changed parameters it records are used instead), both parts transformed, 3-NN majority vote
(Euclidean) in the transformed space, accuracy on the test part. Fit time = CPU seconds
(time.process_time) around fit, with every BLAS/OpenMP pool pinned to one thread.

Prints ONE JSON object on stdout:
  {"version", "blas", "python", "numpy", "scipy", "sklearn",
   "results": {ALGO: {DATASET: {"accuracy": {"mean", "std", "perFold"} | null,
                                "fitSeconds": {"median", "perFold"} | null,
                                "error": null | str, "note": null | str, ...}}}}
Progress goes to stderr.

Needs metric_learn importable (e.g. PYTHONPATH=/path/to/a/copy) and Debian's python3-sklearn:
  PYTHONPATH=/tmp/peer /usr/bin/python3 bench/metric-learn-peer.py --data-dir data \
      --datasets iris,wine,digits --algos lmnn,nca,itml [--max-seconds 300]
This file is ours; no metric-learn code is in it.
"""
import os

# Must precede the numpy import: one thread for OpenBLAS, OpenMP, MKL alike.
for _v in ('OPENBLAS_NUM_THREADS', 'OMP_NUM_THREADS', 'MKL_NUM_THREADS',
           'BLIS_NUM_THREADS', 'NUMEXPR_NUM_THREADS', 'VECLIB_MAXIMUM_THREADS'):
    os.environ[_v] = '1'

import argparse
import csv
import inspect
import json
import platform
import sys
import time
import traceback
import warnings

import numpy as np
import scipy
import sklearn
from sklearn.neighbors import KNeighborsClassifier
from sklearn.preprocessing import StandardScaler

ALGOS = ['covariance', 'lmnn', 'nca', 'lfda', 'rca', 'itml', 'lsml', 'mmc', 'sdml', 'scml']


def blas_info():
    try:
        from threadpoolctl import threadpool_info
        libs = [f"{i.get('internal_api')} {i.get('version')} ({i.get('architecture')}, "
                f"{i.get('num_threads')} thread{'s' if i.get('num_threads') != 1 else ''})"
                for i in threadpool_info() if i.get('user_api') == 'blas']
        if libs:
            return '; '.join(libs)
    except Exception:  # threadpoolctl missing or too old
        pass
    return 'unknown (threadpoolctl unavailable)'


def read_dataset(path):
    with open(path, newline='') as f:
        rows = list(csv.reader(f))
    header, body = rows[0], [r for r in rows[1:] if r]
    if header[-1].strip() != 'label':
        raise ValueError(f'{path}: last column must be "label", got "{header[-1]}"')
    X = np.array([[float(v) for v in r[:-1]] for r in body], dtype=np.float64)
    raw = [r[-1] for r in body]
    try:
        y = np.array([int(v) for v in raw])
    except ValueError:
        y = np.unique(raw, return_inverse=True)[1]
    return X, y


def read_folds(path, n):
    fold = np.full(n, -1, dtype=int)
    with open(path, newline='') as f:
        for rec in csv.DictReader(f):
            fold[int(rec['row'])] = int(rec['fold'])
    if (fold < 0).any():
        raise ValueError(f'{path}: rows without a fold')
    return fold


def supports(cls, name):
    return name in inspect.signature(cls.__init__).parameters


def make_learner(ml, algo, fallback=False):
    """Returns (learner, needs_labels, note). fallback=True gives the peers file's changed parameters."""
    if algo == 'covariance':
        return ml.Covariance(), False, None
    if algo == 'lmnn':
        return ml.LMNN(), True, None
    if algo == 'nca':
        return ml.NCA(), True, None
    if algo == 'lfda':
        return ml.LFDA(), True, ('constant columns dropped' if fallback else None)
    if algo == 'itml':
        return ml.ITML_Supervised(random_state=0), True, None
    if algo == 'lsml':
        return ml.LSML_Supervised(random_state=0), True, None
    if algo == 'mmc':
        return ml.MMC_Supervised(random_state=0), True, None
    if algo == 'sdml':
        if fallback:
            return ml.SDML_Supervised(random_state=0, balance_param=1e-5), True, 'defaults fail; balance_param=1e-5'
        return ml.SDML_Supervised(random_state=0), True, None
    if algo == 'rca':
        if fallback:
            key = 'n_chunks' if supports(ml.RCA_Supervised, 'n_chunks') else 'num_chunks'
            return ml.RCA_Supervised(random_state=0, **{key: 50}), True, f'defaults fail; {key}=50'
        return ml.RCA_Supervised(random_state=0), True, None
    if algo == 'scml':
        return ml.SCML_Supervised(random_state=0), True, None
    raise ValueError(f'unknown algorithm "{algo}"; known: {", ".join(ALGOS)}')


HAS_FALLBACK = {'sdml', 'rca', 'lfda'}


def fit_transform_fold(ml, algo, Ztr, ytr, Zte, fallback):
    """Fits one learner; returns (Ttr, Tte, cpu_seconds, note). Raises on failure or non-finite output."""
    learner, labelled, note = make_learner(ml, algo, fallback)
    cols = slice(None)
    if algo == 'lfda' and fallback:
        # The peers file: LFDA ran on digits only after dropping the zero-variance columns.
        cols = np.flatnonzero(Ztr.var(axis=0) > 0)
    A, B = Ztr[:, cols], Zte[:, cols]
    t0 = time.process_time()
    if labelled:
        learner.fit(A, ytr)
    else:
        learner.fit(A)
    sec = time.process_time() - t0
    Ttr, Tte = learner.transform(A), learner.transform(B)
    if not (np.isfinite(Ttr).all() and np.isfinite(Tte).all()):
        raise FloatingPointError('the learned transform gives non-finite values')
    return Ttr, Tte, sec, note


def run_one(ml, algo, X, y, fold, max_seconds, log):
    ids = sorted(set(fold.tolist()))
    accs, secs, notes = [], [], set()
    out = {'accuracy': None, 'fitSeconds': None, 'error': None, 'note': None,
           'foldsRun': 0, 'foldsTotal': len(ids), 'skipped': None}
    fallback = False
    for f in ids:
        te = fold == f
        tr = ~te
        scaler = StandardScaler().fit(X[tr])
        Ztr, Zte = scaler.transform(X[tr]), scaler.transform(X[te])
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            try:
                Ttr, Tte, sec, note = fit_transform_fold(ml, algo, Ztr, y[tr], Zte, fallback)
            except Exception as e:  # defaults failed: retry with the peers file's changed parameters
                if algo in HAS_FALLBACK and not fallback:
                    log(f'  {algo} fold {f}: defaults fail ({type(e).__name__}: {str(e)[:120]}); retrying with changed parameters')
                    fallback = True
                    try:
                        Ttr, Tte, sec, note = fit_transform_fold(ml, algo, Ztr, y[tr], Zte, True)
                    except Exception as e2:
                        out['error'] = f'fold {f}: {type(e2).__name__}: {e2}'[:400]
                        break
                else:
                    out['error'] = f'fold {f}: {type(e).__name__}: {e}'[:400]
                    break
        knn = KNeighborsClassifier(n_neighbors=3).fit(Ttr, y[tr])
        acc = float((knn.predict(Tte) == y[te]).mean())
        accs.append(acc)
        secs.append(sec)
        if note:
            notes.add(note)
        log(f'  {algo} fold {f}: accuracy {acc:.4f}, fit {sec:.4f} CPU s')
        if max_seconds is not None and sec > max_seconds and f != ids[-1]:
            out['skipped'] = f'fold {f} took {sec:.1f} CPU s > --max-seconds {max_seconds}; remaining folds skipped'
            log('  ' + out['skipped'])
            break
    out['foldsRun'] = len(accs)
    if out['error'] is None and accs:
        a = np.array(accs)
        out['accuracy'] = {'mean': float(a.mean()), 'std': float(a.std()), 'perFold': accs}
        out['fitSeconds'] = {'median': float(np.median(secs)), 'perFold': secs}
    out['note'] = '; '.join(sorted(notes)) or None
    return out


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0].strip(),
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--data-dir', required=True, help='folder with NAME.csv and NAME.folds.csv')
    p.add_argument('--datasets', default='iris,wine,digits', help='comma-separated names')
    p.add_argument('--algos', default=','.join(ALGOS), help='comma-separated, our names: ' + ','.join(ALGOS))
    p.add_argument('--max-seconds', type=float, default=None,
                   help='skip the remaining folds of an algorithm/data set once one fit exceeds this many CPU seconds')
    args = p.parse_args(argv)

    def log(msg):
        print(msg, file=sys.stderr, flush=True)

    import metric_learn as ml
    algos = [a.strip().lower() for a in args.algos.split(',') if a.strip()]
    # An algorithm without a metric-learn counterpart here (e.g. one registered later on our
    # side) is recorded as such rather than failing the whole run.
    unknown = [a for a in algos if a not in ALGOS]
    sets = [s.strip() for s in args.datasets.split(',') if s.strip()]
    result = {
        'version': getattr(ml, '__version__', 'unknown'),
        'module': os.path.dirname(getattr(ml, '__file__', '') or ''),
        'blas': blas_info(),
        'python': platform.python_version(),
        'numpy': np.__version__, 'scipy': scipy.__version__, 'sklearn': sklearn.__version__,
        'cpu': cpu_model(),
        'results': {},
    }
    data = {}
    for s in sets:
        X, y = read_dataset(os.path.join(args.data_dir, f'{s}.csv'))
        data[s] = (X, y, read_folds(os.path.join(args.data_dir, f'{s}.folds.csv'), len(y)))
    for a in algos:
        result['results'][a] = {}
        if a in unknown:
            for s in sets:
                result['results'][a][s] = {'accuracy': None, 'fitSeconds': None,
                                           'error': f'no metric-learn counterpart in this script (known: {", ".join(ALGOS)})'}
            continue
        for s in sets:
            log(f'metric-learn {a} on {s}')
            X, y, fold = data[s]
            try:
                result['results'][a][s] = run_one(ml, a, X, y, fold, args.max_seconds, log)
            except Exception as e:  # anything unforeseen: record it, keep going
                traceback.print_exc(file=sys.stderr)
                result['results'][a][s] = {'accuracy': None, 'fitSeconds': None, 'error': f'{type(e).__name__}: {e}'[:400]}
    json.dump(result, sys.stdout, indent=1)
    sys.stdout.write('\n')


def cpu_model():
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('model name'):
                    return line.split(':', 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or 'unknown'


if __name__ == '__main__':
    main()
