/**
 * Line readers shared by the text formats: the file is read in chunks (sync) or through
 * node:readline (async), so a 100 MB file never becomes one giant string.
 * Lines come with their 1-based line numbers so errors can point at them.
 */
import { closeSync, createReadStream, openSync, readSync } from 'node:fs';
import { createInterface } from 'node:readline';

export interface NumberedLine {
  line: string;
  lineNo: number;
}

const CHUNK = 1 << 20;

function openForReading(path: string, who: string): number {
  try {
    return openSync(path, 'r');
  } catch (err) {
    throw fileError(err, path, who);
  }
}

export function fileError(err: unknown, path: string, who: string): Error {
  const e = err as NodeJS.ErrnoException;
  const reason = e.code === 'ENOENT' ? 'no such file' : e.code === 'EISDIR' ? 'it is a directory, not a file' : e.code === 'EACCES' ? 'permission denied' : e.message;
  return new Error(`${who}: cannot read ${path}: ${reason}`, { cause: err });
}

/** Lines of a UTF-8 text file (a leading BOM is dropped, CRLF is accepted). */
export function* readLinesSync(path: string, who: string): Generator<NumberedLine> {
  const fd = openForReading(path, who);
  try {
    const decoder = new TextDecoder('utf-8');
    const buf = new Uint8Array(CHUNK);
    let pending = '';
    let lineNo = 0;
    let first = true;
    for (;;) {
      let got: number;
      try {
        got = readSync(fd, buf, 0, CHUNK, null);
      } catch (err) {
        throw fileError(err, path, who);
      }
      const text = got > 0 ? decoder.decode(buf.subarray(0, got), { stream: true }) : decoder.decode();
      pending += text;
      if (first && pending.length > 0) {
        if (pending.charCodeAt(0) === 0xfeff) pending = pending.slice(1);
        first = false;
      }
      let start = 0;
      for (;;) {
        const nl = pending.indexOf('\n', start);
        if (nl < 0) break;
        let end = nl;
        if (end > start && pending.charCodeAt(end - 1) === 13) end--;
        yield { line: pending.slice(start, end), lineNo: ++lineNo };
        start = nl + 1;
      }
      pending = pending.slice(start);
      if (got === 0) break;
    }
    if (pending.length > 0) {
      if (pending.charCodeAt(pending.length - 1) === 13) pending = pending.slice(0, -1);
      yield { line: pending, lineNo: ++lineNo };
    }
  } finally {
    closeSync(fd);
  }
}

/** Async counterpart of readLinesSync over a read stream. */
export async function* readLines(path: string, who: string): AsyncGenerator<NumberedLine> {
  // Opening synchronously turns a missing file into our message instead of a stream 'error'.
  const fd = openForReading(path, who);
  const stream = createReadStream('', { fd, encoding: 'utf8', highWaterMark: CHUNK });
  const rl = createInterface({ input: stream, crlfDelay: Infinity });
  let lineNo = 0;
  try {
    for await (let line of rl) {
      if (lineNo === 0 && line.charCodeAt(0) === 0xfeff) line = line.slice(1);
      yield { line, lineNo: ++lineNo };
    }
  } catch (err) {
    throw fileError(err, path, who);
  } finally {
    rl.close();
    stream.destroy();
  }
}
