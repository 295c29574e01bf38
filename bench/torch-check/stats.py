import json, numpy as np
from scipy import stats
def load_torch(f):
    out = {}
    for l in open(f):
        r = json.loads(l); out.setdefault(r['name'], {})[r['seed']] = (r['p1'], r['map'])
    return out
def load_ours(f):
    out = {}
    for l in open(f):
        name, seed, js = l.split(' ', 2); m = json.loads(js.split(' steps')[0])
        out.setdefault(name, {})[int(seed)] = (m['precisionAt1'], m['mapAtR'])
    return out
T = load_torch('torch-seeds.jsonl'); O = load_ours('ours-seeds.txt')
T2 = load_torch('torch-seeds-10-29.jsonl'); O2 = load_ours('ours-seeds-10-29.txt')
PML = {'triplet': (0.9722, 0.9228), 'contrastive': (0.9833, 0.9332), 'multisimilarity': (0.9796, 0.9062)}
f = lambda a: f'{np.mean(a):.4f} ± {np.std(a, ddof=1):.4f}'
for c in ['triplet', 'contrastive', 'multisimilarity']:
    print(f'### {c}')
    print('| seed | P@1 ours | P@1 torch | MAP@R ours | MAP@R torch |'); print('|---|---|---|---|---|')
    for s in range(10):
        print(f'| {s} | {O[c][s][0]:.4f} | {T[c][s][0]:.4f} | {O[c][s][1]:.4f} | {T[c][s][1]:.4f} |')
    op = [O[c][s][0] for s in range(10)]; tp = [T[c][s][0] for s in range(10)]
    om = [O[c][s][1] for s in range(10)]; tm = [T[c][s][1] for s in range(10)]
    print(f'| mean ± sd (0–9) | {f(op)} | {f(tp)} | {f(om)} | {f(tm)} |')
    op30 = op + [O2[c][s][0] for s in range(10, 30)]; tp30 = tp + [T2[c][s][0] for s in range(10, 30)]
    om30 = om + [O2[c][s][1] for s in range(10, 30)]; tm30 = tm + [T2[c][s][1] for s in range(10, 30)]
    print(f'| mean ± sd (0–29) | {f(op30)} | {f(tp30)} | {f(om30)} | {f(tm30)} |')
    pp = PML[c][0]
    print(f'\nPML seed 0 P@1 {pp}: torch-harness seeds 0–29 with P@1 ≥ it: {sum(x >= pp - 1e-9 for x in tp30)}/30; ours: {sum(x >= pp - 1e-9 for x in op30)}/30; percentile of it in the torch harness runs: {stats.percentileofscore(tp30, pp, kind="weak"):.0f}')
    print(f'Welch t (0–29), ours − torch: P@1 diff {np.mean(op30)-np.mean(tp30):+.4f}, p = {stats.ttest_ind(op30, tp30, equal_var=False).pvalue:.2f}; MAP@R diff {np.mean(om30)-np.mean(tm30):+.4f}, p = {stats.ttest_ind(om30, tm30, equal_var=False).pvalue:.2f}; Mann–Whitney P@1 p = {stats.mannwhitneyu(op30, tp30).pvalue:.2f}\n')
