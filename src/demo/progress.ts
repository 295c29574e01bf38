/**
 * Progress of a multi-step run on stderr: a live bar per step on a terminal (cli-progress),
 * one line per finished step otherwise (logs and CI), nothing when disabled.
 */
import { SingleBar } from 'cli-progress';

export interface StepProgress {
  /** Sets the step's total units (iterations, epochs) once known. */
  total(n: number): void;
  update(value: number, note?: string): void;
  done(summary: string): void;
}

export interface ProgressSink {
  step(label: string, total: number): StepProgress;
  info(message: string): void;
}

export function progressSink(mode: boolean | 'auto'): ProgressSink {
  const enabled = mode !== false;
  const live = mode === true || (mode === 'auto' && process.stderr.isTTY === true);
  return {
    info(message) {
      if (enabled) process.stderr.write(`${message}\n`);
    },
    step(label, total) {
      if (!enabled) return { total() {}, update() {}, done() {} };
      if (!live) {
        return {
          total() {},
          update() {},
          done(summary) {
            process.stderr.write(`  ${label.padEnd(14)} ${summary}\n`);
          },
        };
      }
      const bar = new SingleBar({
        stream: process.stderr,
        format: `  ${label.padEnd(14)} [{bar}] {value}/{total} {note}`,
        barsize: 24,
        hideCursor: true,
        clearOnComplete: true,
        forceRedraw: false,
      });
      bar.start(Math.max(1, total), 0, { note: '' });
      return {
        total(n) {
          bar.setTotal(Math.max(1, n));
        },
        update(value, note = '') {
          bar.update(value, { note });
        },
        done(summary) {
          bar.stop();
          process.stderr.write(`  ${label.padEnd(14)} ${summary}\n`);
        },
      };
    },
  };
}
