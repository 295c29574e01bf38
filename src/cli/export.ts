import type { Command } from 'commander';
import { UsageError, checkIdFlag, checkLabelFlag, printJson, readWithLabelFlag, type CliCommand } from './command.js';
import { loadModel } from '../io/model-file.js';
import { modelFromPayload } from '../io/model-registry.js';
import { checkFeatureCount, ensureParentDir, writeFileAtomic, writeJsonl } from '../io/index.js';
import { asSimilarityModel } from '../service/similarity-model.js';

interface ExportOptions {
  model: string;
  to: string;
  data?: string;
  label?: string;
  id?: string;
  dtype: string;
  overwrite?: boolean;
  index: boolean;
  json?: boolean;
}

export const exportCommand: CliCommand = {
  name: 'export',
  register(program: Command) {
    program
      .command('export')
      .description('export a fitted model: to ONNX (model.onnx), or embedded data into LanceDB (lancedb://DIR/TABLE) or JSON Lines (out.jsonl)')
      .requiredOption('--model <file>', 'a .simlearn model file (metric learner or deep head)')
      .requiredOption('--to <target>', 'FILE.onnx | lancedb://DIR/TABLE | FILE.jsonl')
      .option('--data <file>', 'data to embed (for lancedb:// and .jsonl targets): CSV, JSONL or .npy')
      .option('--label <col>', 'label column of a CSV (default: "label" if present)')
      .option('--id <col>', 'id column of a CSV, or id field of JSON Lines records (default: "id" if present, else the row number)')
      .option('--dtype <type>', 'ONNX graph precision: float32 or float64', 'float32')
      .option('--overwrite', 'replace an existing LanceDB table')
      .option('--no-index', 'LanceDB: do not build the IVF-PQ index')
      .option('--json', 'print one JSON object describing the export')
      .action(async (opts: ExportOptions) => {
        if (opts.dtype !== 'float32' && opts.dtype !== 'float64') throw new UsageError(`--dtype must be float32 or float64, got "${opts.dtype}"`);
        // Loaded on use so other commands do not pay for them at start-up.
        await import('../service/registries.js');
        const [{ exportOnnx }, { onnxSpecFromModel }, { exportToLanceDb, parseLanceTarget }, { loadItems }] = await Promise.all([
          import('../export/onnx.js'), import('../export/from-model.js'), import('../export/lancedb.js'), import('../service/items.js'),
        ]);
        const payload = loadModel(opts.model);
        const object = modelFromPayload(payload);
        let result: Record<string, unknown>;
        if (/\.onnx$/i.test(opts.to)) {
          if (opts.data) throw new UsageError('--data is not used for an ONNX export (the graph embeds any input); drop it');
          // They name parts of --data, which an ONNX export does not read.
          for (const [flag, value] of [['--label', opts.label], ['--id', opts.id]] as const) {
            if (value !== undefined) throw new UsageError(`${flag} ${value}: an ONNX export reads no data (the graph embeds any input); drop ${flag}`);
          }
          const bytes = exportOnnx(onnxSpecFromModel(object, payload.kind), { dtype: opts.dtype, metadata: { 'simlearn.model_kind': payload.kind } });
          ensureParentDir(opts.to, 'export');
          writeFileAtomic(opts.to, bytes, 'export');
          result = { format: 'onnx', path: opts.to, bytes: bytes.length, kind: payload.kind, dtype: opts.dtype, input: 'input', output: 'embedding' };
          if (!opts.json) process.stderr.write(`wrote ${opts.to} (${bytes.length} bytes): input "input" [batch, features] → output "embedding"\n`);
        } else if (opts.to.startsWith('lancedb://') || /\.(jsonl|ndjson)$/i.test(opts.to)) {
          if (!opts.data) throw new UsageError(`--data FILE is required to export embedded vectors to ${opts.to}`);
          checkLabelFlag(opts.label, { files: [opts.data] });
          checkIdFlag(opts.id, opts.data);
          const model = asSimilarityModel(object, { kind: payload.kind, meta: payload.meta });
          const items = readWithLabelFlag(opts.label, () => loadItems(opts.data!, { label: opts.label, id: opts.id }));
          checkFeatureCount(items.X.cols, model.nFeatures, { source: `--data ${opts.data}`, fix: `pass data with the ${model.nFeatures} feature columns the model was fitted on (name its label column with --label, its id column with --id)` });
          const e = { ...items, Z: model.transform(items.X) };
          if (opts.to.startsWith('lancedb://')) {
            const target = parseLanceTarget(opts.to);
            const r = await exportToLanceDb({ ...target, vectors: e.Z, ids: e.ids, labels: e.labels, overwrite: opts.overwrite, index: opts.index ? 'auto' : 'none' });
            result = { format: 'lancedb', ...r };
            if (!opts.json) process.stderr.write(`${r.message}\n`);
          } else {
            ensureParentDir(opts.to, 'export');
            writeJsonl(opts.to, e.Z, { ids: e.ids, y: e.labels ?? undefined });
            result = { format: 'jsonl', path: opts.to, rows: e.Z.rows, dim: e.Z.cols };
            if (!opts.json) process.stderr.write(`wrote ${e.Z.rows} embedded rows (${e.Z.cols} dims) to ${opts.to}\n`);
          }
        } else {
          throw new UsageError(`--to must be FILE.onnx, lancedb://DIR/TABLE or FILE.jsonl, got "${opts.to}"`);
        }
        if (opts.json) printJson(result);
      });
  },
};
