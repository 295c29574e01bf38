/**
 * `simlearn train --config FILE.json`: trains a deep similarity head (MLP over the features or
 * over a frozen ONNX encoder's embeddings), prints the validation metrics and saves the head.
 */
import { basename, resolve } from 'node:path';
import type { Command } from 'commander';
import { UsageError, checkLabelFlag, intOption, nameLabelSource, printJson, type CliCommand } from './command.js';
import { LabelColumnError } from '../io/csv.js';
import { dataFileFormat } from '../io/dataset.js';
import { npyLabelsMessage, readTrainConfig, resolvePath } from '../deep/config.js';
import { checkOutputPath, runTraining } from '../deep/pipeline.js';
import { formatMetrics } from '../deep/trainer.js';
import { getBackend } from '../backend/index.js';
import { MAX_SEED } from '../random.js';
import '../deep/registry.js';

interface TrainOpts {
  config: string;
  data?: string;
  label?: string;
  out?: string;
  epochs?: string;
  seed?: string;
  json?: boolean;
  verbose?: boolean;
  progress?: boolean;
  save?: boolean;
}


export const trainCommand: CliCommand = {
  name: 'train',
  register(program: Command) {
    program
      .command('train')
      .description('train a deep similarity head from a JSON config (see examples/train-digits-triplet.json)')
      .requiredOption('-c, --config <file>', 'training configuration (JSON)')
      .option('--data <file>', "dataset to use instead of the config's data")
      .option('--label <column>', 'label column of the data (default: the config\'s, else "label" if present, else the last column)')
      .option('-o, --out <file>', "where to save the head (default: the config's output, else ./<config name>.head.simlearn)")
      .option('--no-save', 'do not save the head')
      .option('--epochs <n>', "override the config's epochs")
      .option('--seed <n>', "override the config's seed")
      .option('--json', 'print one JSON object with the metrics on stdout')
      .option('-v, --verbose', 'one line per epoch on stderr')
      .option('--no-progress', 'no progress bar (it shows only when stderr is a terminal)')
      .action(async (opts: TrainOpts) => {
        const epochs = intOption(opts.epochs, '--epochs', 1);
        const seed = intOption(opts.seed, '--seed', 0, MAX_SEED);
        const { config, baseDir } = readTrainConfig(opts.config);
        // --label names a column of the data trained on: --data, else the config's data file.
        checkLabelFlag(opts.label, { files: [opts.data ?? resolvePath(baseDir, typeof config.data === 'string' ? config.data : config.data.path)] });
        const configLabel = typeof config.data === 'string' ? undefined : config.data.label;
        if (opts.data && dataFileFormat(opts.data) === 'npy') throw new UsageError(`--data ${opts.data}: ${npyLabelsMessage(opts.data)}`);
        const warnings: string[] = [];
        const onWarning = (msg: string) => {
          warnings.push(msg);
          process.stderr.write(`warning: ${msg}\n`);
        };
        // The config's data.label (checked against the config's own files) is the default label
        // of --data too; a --data file whose format has no label columns cannot use it.
        if (opts.data && opts.label === undefined && configLabel !== undefined && configLabel !== null) {
          const format = dataFileFormat(opts.data);
          if (format === 'npy' || (format === 'jsonl' && configLabel !== 'label')) {
            onWarning(`ignoring the config's data.label ${JSON.stringify(configLabel)} for --data ${opts.data}: ${format === 'npy' ? 'it is .npy, which holds features only' : 'it is JSON Lines, whose records carry their labels in the field "label"'}`);
          }
        }
        // Where the head goes, checked now rather than found unwritable after training.
        const out = opts.save === false ? null
          : opts.out ? resolve(opts.out)
          : config.output ? resolvePath(baseDir, config.output)
          : resolve(`${basename(opts.config).replace(/\.json$/i, '')}.head.simlearn`);
        if (out) checkOutputPath(out, opts.out ? '--out' : config.output ? `output (in ${opts.config})` : 'the default output (set --out or the config\'s output)');
        const dataPath = opts.data ? resolve(opts.data) : undefined;
        const validationPath = config.validation ? resolvePath(baseDir, config.validation) : undefined;
        let run;
        try {
          run = await runTraining(config, {
            baseDir,
            data: dataPath,
            label: opts.label === undefined ? undefined : /^-?\d+$/.test(opts.label) ? Number(opts.label) : opts.label,
            onWarning,
            epochs,
            seed,
            verbose: opts.verbose,
            progress: opts.progress === false ? false : 'auto',
          });
        } catch (err) {
          // A label column the data lacks, named by where the name came from: --label for the
          // data trained on, else (and always for the validation file) the config's data.label.
          if (!(err instanceof LabelColumnError)) throw err;
          const fromFlag = opts.label !== undefined && err.path !== validationPath;
          throw nameLabelSource(err, fromFlag ? `--label ${opts.label}` : `data.label ${JSON.stringify(configLabel)} in ${opts.config}`);
        }
        if (out) run.head.save(out);
        const m = run.training.final!;
        if (opts.json) {
          printJson({
            precisionAt1: m.precisionAt1,
            rPrecision: m.rPrecision,
            mapAtR: m.mapAtR,
            epochSeconds: run.training.epochSeconds,
            epochCpuSeconds: run.training.epochCpuSeconds,
            bestEpoch: run.training.best?.epoch ?? null,
            epochsRun: run.training.epochsRun,
            stoppedEarly: run.training.stoppedEarly,
            untrained: run.untrained,
            nTrain: run.nTrain,
            nValidation: run.nValidation,
            loss: config.loss.name,
            miner: config.miner?.name ?? null,
            encoderCacheHit: run.encoder ? run.encoder.cacheHit : null,
            backend: getBackend().name,
            output: out,
            warnings,
          });
        } else {
          const w = (s: string) => process.stdout.write(s + '\n');
          w(`trained ${config.loss.name}${config.miner ? ` + ${config.miner.name} miner` : ''} on ${run.nTrain} rows, validated on ${run.nValidation} (${run.classes.length} classes)`);
          w(`untrained: ${formatMetrics(run.untrained)}`);
          const which = config.restoreBest && run.training.best ? `best, epoch ${run.training.best.epoch} of ${run.training.epochsRun}` : `after epoch ${run.training.epochsRun}`;
          w(`validation (${which}): ${formatMetrics(m)}`);
          w(`seconds per epoch: ${run.training.epochSeconds.toFixed(4)} wall, ${run.training.epochCpuSeconds.toFixed(4)} CPU (backend ${getBackend().name})`);
          if (out) w(`head saved to ${out}`);
        }
      });
  },
};
