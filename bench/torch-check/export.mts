// Part of bench/torch-check (see its README): runs our training for one config/seed through the real Trainer, recording per step the
// weights before the step, the gradients, loss and mined counts; plus data, batches, final weights.
import { writeFileSync, openSync, writeSync, closeSync, mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
const R = new URL('../../src/', import.meta.url).href;
const HERE = dirname(fileURLToPath(import.meta.url));
const OUT = process.env.TORCH_CHECK_DIR ?? join(HERE, 'out');
const { readDatasetAsync, readFolds } = await import(R + 'io/index.js');
const { readTrainConfig } = await import(R + 'deep/config.js');
const { buildLoss, buildMiner, buildSampler } = await import(R + 'deep/build.js');
const { MLP } = await import(R + 'deep/layers/mlp.js');
const { Adam } = await import(R + 'deep/optim/adam.js');
const { Trainer, evaluateRetrieval } = await import(R + 'deep/trainer.js');
const { getState } = await import(R + 'deep/layers/state.js');
const { embed } = await import(R + 'deep/layers/embed.js');
const { foldSplit } = await import(R + 'deep/split.js');
const { applyStandardization, fitStandardization } = await import(R + 'deep/head.js');
const { encodeClassLabels } = await import(R + 'deep/pipeline.js');

const name = process.argv[2];
const seed = Number(process.argv[3] ?? 0);
mkdirSync(OUT, { recursive: true });
const out = process.argv[4] ?? join(OUT, `ours-${name}-${seed}`);
const full = process.argv[5] !== 'light';
const { config, baseDir } = readTrainConfig(join(HERE, '..', '..', 'examples', `train-digits-${name}.json`));
const ds = await readDatasetAsync(join(baseDir, config.data as string), {});
const { codes } = encodeClassLabels(ds.y, 'digits');
const split = foldSplit(readFolds(join(baseDir, config.split.folds!), codes.length), config.split.testFold!);
const Xtr = ds.X.takeRows(split.train), Xte = ds.X.takeRows(split.test);
const st = fitStandardization(Xtr);
const train = { X: applyStandardization(Xtr, st), y: Int32Array.from(split.train, (i: number) => codes[i]) };
const test = { X: applyStandardization(Xte, st), y: Int32Array.from(split.test, (i: number) => codes[i]) };
const h = config.head;
const model = new MLP({ inputDim: 64, hidden: h.hidden, outputDim: h.output, activation: h.activation, dropout: h.dropout, norm: h.norm, normalize: h.normalize, seed });
const init = getState(model);
const loss0 = buildLoss(config.loss, { numClasses: 10, embeddingSize: 32, seed });
const miner0 = buildMiner(config.miner)!;
const sampler = buildSampler(config.sampler, train.y, seed);
const batches: number[][] = [];
for (let e = 0; e < config.epochs; e++) for (const b of sampler.epoch(e)) batches.push(Array.from(b));
const steps: { loss: number; nPos: number; nNeg: number; nTrip: number; active: number }[] = [];
let cur: any = null;
const miner = { name: miner0.name, mine: (E: any, y: any, r: any) => { const t = miner0.mine(E, y, r); cur = t.kind === 'pairs' ? { nPos: t.posA.length, nNeg: t.negA.length, nTrip: 0 } : { nPos: 0, nNeg: 0, nTrip: t.anchors.length }; return t; } };
const loss = { name: loss0.name, acceptsReference: true, parameters: () => [], compute: (E: any, y: any, t: any, r: any) => { const res = loss0.compute(E, y, t, r); steps.push({ loss: res.loss, active: res.activeTerms, ...cur }); return res; } };
const wFd = full ? openSync(out + '.weights.f32', 'w') : -1;
const gFd = full ? openSync(out + '.grads.f32', 'w') : -1;
const factory = (params: any[]) => {
  const opt = new Adam(params, { lr: config.optimizer.lr });
  const step = opt.step.bind(opt);
  opt.step = () => {
    if (full) for (const p of params) { writeSync(wFd, new Uint8Array(p.value.buffer, p.value.byteOffset, p.value.byteLength)); writeSync(gFd, new Uint8Array(p.grad.buffer, p.grad.byteOffset, p.grad.byteLength)); }
    step();
  };
  return opt;
};
const t0 = performance.now();
const trainer = new Trainer({ model, loss: loss as any, miner: miner as any, sampler, optimizer: factory }, { epochs: config.epochs, seed, validateEvery: config.validateEvery, restoreBest: false, progress: false });
const res = trainer.fit(train, test);
const secs = (performance.now() - t0) / 1000;
if (full) { closeSync(wFd); closeSync(gFd); }
const fin = getState(model);
const Ete = embed(model, test.X);
const toArr = (s: any) => Object.fromEntries(Object.entries(s).map(([k, v]: any) => [k, { shape: v.shape, data: Array.from(v.data) }]));
const obj: any = { name, seed, config, paramOrder: model.parameters().map((p: any) => p.name), init: toArr(init), final: toArr(fin), steps, metrics: res.final, history: res.history.map((l: any) => ({ epoch: l.epoch, loss: l.loss, metrics: l.metrics ?? null })), secs };
if (full) { obj.batches = batches; obj.Xtr = Array.from(train.X.data); obj.ytr = Array.from(train.y); obj.Xte = Array.from(test.X.data); obj.yte = Array.from(test.y); obj.Ete = Array.from(Ete.data); }
writeFileSync(out + '.json', JSON.stringify(obj));
console.log(name, seed, JSON.stringify(res.final), 'steps', steps.length, 'secs', secs.toFixed(1));
