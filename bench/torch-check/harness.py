"""Measuring instrument (bench/torch-check, see its README; needs Debian's python3-torch): the protocol of shared/peers/deep.md in torch, with the
pieces written the way pytorch-metric-learning 2.8.1 does them (LpDistance/CosineSimilarity with
normalize_embeddings, BatchHardMiner, MultiSimilarityMiner, ContrastiveLoss + AvgNonZeroReducer,
MultiSimilarityLoss + MeanReducer, MPerClassSampler without batch_size + DataLoader(batch 128))."""
import json, os, sys, time
import numpy as np
import torch
import torch.nn.functional as F

torch.set_num_threads(1)
OUT = os.environ.get('TORCH_CHECK_DIR', os.path.join(os.path.dirname(os.path.abspath(__file__)), 'out'))
DT = torch.float32

# ---------------- distances (BaseDistance.forward: normalize, compute_mat) ----------------
def lp_mat(q, r):
    qn = F.normalize(q, p=2, dim=1)
    rn = F.normalize(r, p=2, dim=1)
    return torch.cdist(qn, rn, p=2)

def cos_mat(q, r):
    qn = F.normalize(q, p=2, dim=1)
    rn = F.normalize(r, p=2, dim=1)
    return qn @ rn.t()

def all_pairs(labels):
    matches = (labels.unsqueeze(1) == labels.unsqueeze(0)).byte()
    diffs = matches ^ 1
    matches.fill_diagonal_(0)
    a1, p = torch.where(matches)
    a2, n = torch.where(diffs)
    return a1, p, a2, n

# ---------------- miners (no_grad, as BaseMiner.forward) ----------------
@torch.no_grad()
def batch_hard_miner(emb, labels):
    mat = lp_mat(emb, emb)
    a1, p, a2, n = all_pairs(labels)
    pmask = torch.zeros_like(mat, dtype=torch.bool); pmask[a1, p] = True
    nmask = torch.zeros_like(mat, dtype=torch.bool); nmask[a2, n] = True
    pm = mat.clone(); pm[~pmask] = float('-inf')
    hp, hpi = torch.max(pm, dim=1)
    nm = mat.clone(); nm[~nmask] = float('inf')
    hn, hni = torch.min(nm, dim=1)
    keep = torch.where(torch.any(pmask, 1) & torch.any(nmask, 1))
    a = torch.arange(mat.size(0))[keep]
    return a, hpi[keep], hni[keep]

@torch.no_grad()
def ms_miner(emb, labels, eps=0.1):
    mat = cos_mat(emb, emb)
    a1, p, a2, n = all_pairs(labels)
    if len(a1) == 0 or len(a2) == 0:
        e = torch.LongTensor([]); return e, e, e, e
    mneg = mat; mpos = mat.clone()
    mpos[a2, n] = float('inf')   # is_inverted: pos_ignore = +inf
    mneg[a1, p] = float('-inf')
    mpos.fill_diagonal_(float('inf')); mneg.fill_diagonal_(float('-inf'))
    ps, psi = torch.sort(mpos, dim=1)
    ns, nsi = torch.sort(mneg, dim=1)
    hp = torch.where(ps - eps < ns[:, -1].unsqueeze(1))
    hn = torch.where(ns + eps > ps[:, 0].unsqueeze(1))
    A1 = hp[0]; P = psi[A1, hp[1]]; A2 = hn[0]; N = nsi[A2, hn[1]]
    return A1, P, A2, N

# ---------------- losses ----------------
def avg_non_zero(x):
    c = x > 0
    k = int(c.sum())
    return (torch.mean(x[c]) if k >= 1 else torch.sum(x * 0)), k

def contrastive_loss(emb, labels, trip, pos_margin=0.0, neg_margin=1.0):
    a, p, n = trip
    a1, p_, a2, n_ = a, p, a, n  # convert_to_pairs
    mat = lp_mat(emb, emb)
    pos = F.relu(mat[a1, p_] - pos_margin)
    neg = F.relu(neg_margin - mat[a2, n_])
    lp, kp = avg_non_zero(pos)
    ln, kn = avg_non_zero(neg)
    return lp + ln, kp + kn

def lse(x, keep, add_one=True):
    x = x.masked_fill(~keep, float('-inf'))
    if add_one:
        x = torch.cat([x, torch.zeros(x.size(0), 1, dtype=x.dtype)], dim=1)
    out = torch.logsumexp(x, dim=1, keepdim=True)
    return out.masked_fill(~torch.any(keep, dim=1, keepdim=True), 0)

def ms_loss(emb, labels, pairs, alpha=2.0, beta=50.0, base=0.5):
    a1, p, a2, n = pairs
    mat = cos_mat(emb, emb)
    pm = torch.zeros_like(mat, dtype=torch.bool); pm[a1, p] = True
    nm = torch.zeros_like(mat, dtype=torch.bool); nm[a2, n] = True
    pos_exp = base - mat   # CosineSimilarity.margin(mat, base) = base - mat
    neg_exp = mat - base
    pl = (1.0 / alpha) * lse(alpha * pos_exp, pm)
    nl = (1.0 / beta) * lse(beta * neg_exp, nm)
    losses = (pl + nl).squeeze(1)
    return torch.mean(losses), int((losses > 0).sum())

@torch.no_grad()
def semihard_miner(emb, labels, margin=0.2):
    mat = lp_mat(emb, emb)
    matches = (labels.unsqueeze(1) == labels.unsqueeze(0)).byte()
    diffs = matches ^ 1
    matches.fill_diagonal_(0)
    a, p, n = torch.where(matches.unsqueeze(2) * diffs.unsqueeze(1))
    tm = mat[a, n] - mat[a, p]
    c = (tm <= margin) & (tm > 0)
    return a[c], p[c], n[c]

def triplet_loss(emb, labels, trip, margin=0.2):
    a, p, n = trip
    if len(a) == 0:
        return torch.sum(emb * 0), 0
    mat = lp_mat(emb, emb)
    loss = F.relu(mat[a, p] - mat[a, n] + margin)
    return avg_non_zero(loss)

CONFIGS = {
    'triplet': (semihard_miner, lambda e, y, t: triplet_loss(e, y, t)),
    'contrastive': (batch_hard_miner, lambda e, y, t: contrastive_loss(e, y, t)),
    'multisimilarity': (ms_miner, lambda e, y, t: ms_loss(e, y, t)),
}

def count(t):
    return (0, 0, len(t[0])) if len(t) == 3 else (len(t[0]), len(t[2]), 0)

# ---------------- model ----------------
class Head(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.net = torch.nn.Sequential(torch.nn.Linear(64, 128), torch.nn.ReLU(), torch.nn.Linear(128, 32))
    def forward(self, x):
        return F.normalize(self.net(x), p=2, dim=1)

NAMES = ['hidden.0.linear.weight', 'hidden.0.linear.bias', 'output.weight', 'output.bias']
def tparams(m):
    return [m.net[0].weight, m.net[0].bias, m.net[2].weight, m.net[2].bias]

def set_weights(m, flat_or_dict):
    with torch.no_grad():
        if isinstance(flat_or_dict, dict):
            for nm, p in zip(NAMES, tparams(m)):
                p.copy_(torch.tensor(flat_or_dict[nm]['data'], dtype=DT).view_as(p))
        else:
            off = 0
            for p in tparams(m):
                k = p.numel(); p.copy_(torch.from_numpy(flat_or_dict[off:off + k].copy()).view_as(p)); off += k

def flat(m):
    return torch.cat([p.detach().reshape(-1) for p in tparams(m)]).numpy()

def flatgrad(m):
    return torch.cat([p.grad.reshape(-1) for p in tparams(m)]).numpy()

# ---------------- evaluation (test vs test, self excluded, Euclidean; PML definitions) ----------------
def retrieval(E, y):
    E = np.asarray(E, dtype=np.float64); y = np.asarray(y)
    sq = (E * E).sum(1)
    D = sq[:, None] + sq[None, :] - 2 * E @ E.T
    np.fill_diagonal(D, np.inf)
    order = np.argsort(D, axis=1, kind='stable')
    p1 = rp = mapr = 0.0
    n = len(y)
    for i in range(n):
        R = int((y == y[i]).sum()) - 1
        rel = (y[order[i, :R]] == y[i]).astype(np.float64)
        p1 += rel[0]
        rp += rel.sum() / R
        prec = np.cumsum(rel) / np.arange(1, R + 1)
        mapr += (prec * rel).sum() / R
    return p1 / n, rp / n, mapr / n

def embed(m, X):
    with torch.no_grad():
        return m(torch.as_tensor(X)).numpy()

def load_ours(name, seed=0):
    base = os.path.join(OUT, f'ours-{name}-{seed}')
    o = json.load(open(base + '.json'))
    npar = sum(np.prod(o['init'][k]['shape']) for k in NAMES)
    W = np.fromfile(base + '.weights.f32', dtype=np.float32).reshape(-1, npar)
    G = np.fromfile(base + '.grads.f32', dtype=np.float32).reshape(-1, npar)
    Xtr = np.array(o['Xtr'], dtype=np.float32).reshape(-1, 64); ytr = np.array(o['ytr'])
    Xte = np.array(o['Xte'], dtype=np.float32).reshape(-1, 64); yte = np.array(o['yte'])
    return o, W, G, Xtr, ytr, Xte, yte

def train_step(model, opt, miner, lossf, xb, yb):
    opt.zero_grad()
    emb = model(xb)
    t = miner(emb, yb)
    loss, active = lossf(emb, yb, t)
    loss.backward()
    return float(loss), count(t), active, t

def replay(name):
    """Free-running: same initial weights and batches, torch's own arithmetic all the way."""
    o, W, G, Xtr, ytr, Xte, yte = load_ours(name)
    miner, lossf = CONFIGS[name]
    model = Head(); set_weights(model, o['init'])
    assert np.array_equal(flat(model), W[0]), 'initial weights differ'
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    X = torch.from_numpy(Xtr); Y = torch.from_numpy(ytr)
    rows = []
    first_count_diff = None
    for s, idx in enumerate(o['batches']):
        idx = torch.tensor(idx)
        wdiff = float(np.abs(flat(model) - W[s]).max())
        l, c, act, _ = train_step(model, opt, miner, lossf, X[idx], Y[idx])
        gdiff = float(np.abs(flatgrad(model) - G[s]).max())
        opt.step()
        ours = o['steps'][s]
        oc = (ours['nPos'], ours['nNeg'], ours['nTrip'])
        if oc != c and first_count_diff is None: first_count_diff = s
        rows.append((s, l, ours['loss'], c, oc, act, ours['active'], wdiff, gdiff))
    Et = embed(model, Xte)
    m_t = retrieval(Et, yte)
    m_o = retrieval(np.array(o['Ete']).reshape(-1, 32), yte)
    return rows, first_count_diff, m_t, m_o, flat(model), o

def lockstep(name):
    """Each step from OUR weights before it: compares mined tuples, loss and gradient alone,
    and torch's Adam fed with OUR gradients against our weights after the step."""
    o, W, G, Xtr, ytr, Xte, yte = load_ours(name)
    miner, lossf = CONFIGS[name]
    model = Head()
    X = torch.from_numpy(Xtr); Y = torch.from_numpy(ytr)
    # Adam on a shadow copy fed our gradients
    shadow = [torch.nn.Parameter(torch.from_numpy(W[0].copy()))]
    sopt = torch.optim.Adam(shadow, lr=1e-3)
    out = []
    for s, idx in enumerate(o['batches']):
        idx = torch.tensor(idx)
        set_weights(model, W[s])
        opt = torch.optim.SGD(model.parameters(), lr=0.0)
        l, c, act, t = train_step(model, opt, miner, lossf, X[idx], Y[idx])
        g = flatgrad(model)
        ours = o['steps'][s]
        oc = (ours['nPos'], ours['nNeg'], ours['nTrip'])
        gd = np.abs(g - G[s]); rel = float(gd.max() / max(np.abs(G[s]).max(), 1e-30))
        # Adam with our gradient
        shadow[0].grad = torch.from_numpy(G[s].copy())
        sopt.step()
        adiff = float(np.abs(shadow[0].detach().numpy() - W[s + 1]).max()) if s + 1 < len(W) else None
        with torch.no_grad(): shadow[0].copy_(torch.from_numpy(W[s + 1].copy()) if s + 1 < len(W) else shadow[0])
        out.append((s, l, ours['loss'], c, oc, act, ours['active'], float(gd.max()), rel, adiff))
    return out

def pml_sampler_epoch(labels, m=8, length=1200, state=None):
    """MPerClassSampler(labels, m, batch_size=None, length_before_new_iter=length).__iter__, NUMPY_RANDOM = np.random."""
    l2i = state['l2i']; labs = state['labels']
    single = m * len(labs)
    size = length - (length % single) if single < length else length
    n_iters = size // single if single < size else 1
    idx = [0] * size
    i = 0
    for _ in range(n_iters):
        np.random.shuffle(labs)
        for lab in labs:
            t = l2i[lab]
            idx[i:i + m] = np.random.choice(t, size=m, replace=len(t) < m).copy()
            i += m
    return idx

def torch_rng_run(name, seed, Xtr, ytr, Xte, yte, epochs=30):
    """PML-style run with torch's and numpy's own RNG: torch.manual_seed(seed) for the init,
    np.random.seed(seed) for the sampler (c_f.NUMPY_RANDOM is np.random by default)."""
    torch.manual_seed(seed); np.random.seed(seed)
    miner, lossf = CONFIGS[name]
    model = Head()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    l2i = {}
    for i, lab in enumerate(ytr.tolist()): l2i.setdefault(lab, []).append(i)
    state = {'l2i': {k: np.array(v) for k, v in l2i.items()}, 'labels': list(l2i.keys())}
    X = torch.from_numpy(Xtr); Y = torch.from_numpy(ytr)
    t0 = time.perf_counter()
    for e in range(epochs):
        order = pml_sampler_epoch(ytr, state=state)
        for b in range(0, len(order), 128):
            idx = torch.tensor(order[b:b + 128])
            train_step(model, opt, miner, lossf, X[idx], Y[idx])
            opt.step()
    secs = time.perf_counter() - t0
    model.eval()
    return retrieval(embed(model, Xte), yte), secs

if __name__ == '__main__':
    mode = sys.argv[1]
    if mode == 'replay':
        name = sys.argv[2]
        rows, fcd, m_t, m_o, wt, o = replay(name)
        W_final = np.concatenate([np.array(o['final'][k]['data'], dtype=np.float32) for k in NAMES])
        print(f'{name}: first step whose mined counts differ: {fcd}')
        for r in rows:
            s = r[0]
            if s < 12 or s % 25 == 0 or (fcd is not None and abs(s - fcd) <= 2) or s == len(rows) - 1:
                print(f'  step {s:3d} loss torch {r[1]:.7f} ours {r[2]:.7f} |d| {abs(r[1]-r[2]):.2e} counts torch {r[3]} ours {r[4]} active {r[5]}/{r[6]} max|W diff| before step {r[7]:.2e} max|grad diff| {r[8]:.2e}')
        print(f'  final max|W_torch - W_ours| {np.abs(wt - W_final).max():.3e}  (max |W| {np.abs(W_final).max():.3f})')
        print(f'  torch final metrics (P@1, R-prec, MAP@R): {m_t}')
        print(f'  ours  final metrics (same evaluator):     {m_o}   ours reported: {o["metrics"]}')
    elif mode == 'lockstep':
        name = sys.argv[2]
        out = lockstep(name)
        nd = [r for r in out if r[3] != r[4]]
        print(f'{name} lockstep: steps with different mined counts: {len(nd)} of {len(out)}: {[(r[0], r[3], r[4]) for r in nd[:10]]}')
        ld = np.array([abs(r[1] - r[2]) / max(abs(r[2]), 1e-12) for r in out])
        gr = np.array([r[8] for r in out]); ad = np.array([r[9] for r in out[:-1]])
        print(f'  loss rel diff: max {ld.max():.2e} median {np.median(ld):.2e}; grad max-abs diff / max|grad|: max {gr.max():.2e} median {np.median(gr):.2e} (worst step {int(gr.argmax())}); Adam(our grads) vs our weights: max {ad.max():.2e}')
        for r in out[:5]:
            print(f'  step {r[0]} loss {r[1]:.7f} / {r[2]:.7f} counts {r[3]} / {r[4]} active {r[5]}/{r[6]} grad diff {r[7]:.2e} rel {r[8]:.2e} adam {r[9]:.2e}')
    elif mode == 'seeds':
        name = sys.argv[2]; seeds = [int(s) for s in sys.argv[3].split(',')]
        o = json.load(open(os.path.join(OUT, 'ours-contrastive-0.json')))
        Xtr = np.array(o['Xtr'], dtype=np.float32).reshape(-1, 64); ytr = np.array(o['ytr'])
        Xte = np.array(o['Xte'], dtype=np.float32).reshape(-1, 64); yte = np.array(o['yte'])
        res = {}
        for s in seeds:
            (p1, rp, mapr), secs = torch_rng_run(name, s, Xtr, ytr, Xte, yte)
            res[s] = {'p1': p1, 'rp': rp, 'map': mapr, 'secs': secs}
            print(json.dumps({'name': name, 'seed': s, **res[s]}), flush=True)
