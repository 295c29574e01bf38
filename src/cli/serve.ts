import type { Command } from 'commander';
import { UsageError, checkIdFlag, checkLabelFlag, intOption, readWithLabelFlag, type CliCommand } from './command.js';

interface ServeOptions {
  model: string;
  items: string;
  port: string;
  host: string;
  label?: string;
  id?: string;
  threshold?: string;
  bodyLimit: string;
  maxK: string;
}

export const serveCommand: CliCommand = {
  name: 'serve',
  register(program: Command) {
    program
      .command('serve')
      .description('serve a learned similarity over HTTP: /similar, /pair-score, /verify, /embed, /health and a page at /')
      .requiredOption('--model <file>', 'a .simlearn model file (or "euclidean" for the plain baseline)')
      .requiredOption('--items <file>', 'the item set: CSV/TSV (features + optional id/label columns; separator detected as for every dataset) or JSON Lines {id, vector, label}')
      .option('--port <n>', 'port (0 picks a free one)', '8080')
      .option('--host <addr>', 'address to bind', '127.0.0.1')
      .option('--label <col>', 'label column of a CSV item file (default: "label" if present)')
      .option('--id <col>', 'id column of a CSV item file, or id field of JSON Lines records (default: "id" if present, else the row number); ids are kept as written, e.g. "007"')
      .option('--threshold <score>', 'verification threshold on score = -distance (default: the model\'s, else calibrated on labelled items)')
      .option('--body-limit <bytes>', 'largest request body', String(1024 * 1024))
      .option('--max-k <n>', 'largest k for /similar', '100')
      .action(async (opts: ServeOptions) => {
        checkLabelFlag(opts.label, { files: [opts.items] });
        checkIdFlag(opts.id, opts.items);
        const port = intOption(opts.port, '--port', 0, 65535);
        const bodyLimit = intOption(opts.bodyLimit, '--body-limit', 1024, 1 << 30);
        const maxK = intOption(opts.maxK, '--max-k', 1, 100000);
        let threshold: number | undefined;
        if (opts.threshold !== undefined) {
          threshold = Number(opts.threshold);
          if (!Number.isFinite(threshold)) throw new UsageError(`--threshold must be a number, got "${opts.threshold}"`);
        }
        // Loaded here, not at the top: every CLI start would otherwise pay for Fastify and zod.
        const [{ loadSimilarityModel }, { loadItems }, { startService }] = await Promise.all([import('../service/load-model.js'), import('../service/items.js'), import('../service/server.js')]);
        const model = loadSimilarityModel(opts.model);
        const items = readWithLabelFlag(opts.label, () => loadItems(opts.items, { label: opts.label, id: opts.id }));
        const { app, info, url } = await startService({ model, items, threshold, bodyLimit, maxK, host: opts.host, port });
        process.stderr.write(`simlearn serve: ${model.kind} over ${info.items} items (${info.dim} → ${info.embeddingDim} dims)` +
          `${info.threshold !== null ? `, verify threshold ${info.threshold.toFixed(4)} (${info.thresholdSource})` : ''}\n`);
        // The URL goes to stdout alone so scripts and tests can read where it listens.
        process.stdout.write(`${url}\n`);
        await new Promise<void>((resolve) => {
          const stop = () => {
            process.off('SIGINT', stop);
            process.off('SIGTERM', stop);
            app.close().then(() => resolve(), () => resolve());
          };
          process.on('SIGINT', stop);
          process.on('SIGTERM', stop);
        });
      });
  },
};
