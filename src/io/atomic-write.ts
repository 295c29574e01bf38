/**
 * Whole-or-nothing output files. Content goes to a temporary file in the target's directory,
 * is flushed, then renamed over the target: a full disk, a file-size limit or a crash leaves
 * the earlier file (or no file) in place, never a truncated one, and no temporary file behind.
 * Every error names the output path and says what to do about it.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** Bytes, text (written as UTF-8), or pieces of either, so large outputs need not be one string. */
export type FileContent = string | Uint8Array | Iterable<string | Uint8Array>;

function isErrno(err: unknown): err is NodeJS.ErrnoException {
  return err instanceof Error && typeof (err as NodeJS.ErrnoException).code === 'string';
}

function reasonOf(e: NodeJS.ErrnoException, path: string): string {
  const dir = dirname(path);
  switch (e.code) {
    case 'ENOENT': return `no directory ${dir} (does the directory exist?); create it or write elsewhere`;
    case 'ENOTDIR': return `a parent of ${path} is not a directory; choose an output path inside a directory`;
    case 'EISDIR': return `${path} is a directory; give a file name`;
    case 'EACCES': case 'EPERM': return `no write permission in ${dir}; write elsewhere or fix the permissions`;
    case 'EROFS': return `${dir} is on a read-only file system; write elsewhere`;
    case 'ENOSPC': return 'no space left on the device; free some space or write elsewhere';
    case 'EDQUOT': return 'the disk quota is exhausted; free some space or write elsewhere';
    case 'EFBIG': return 'the file is larger than this process may write (the file-size limit, ulimit -f, or the file system\'s maximum); raise the limit or write elsewhere';
    default: return `${e.message}; check the path and the disk, then retry`;
  }
}

/** An Error for a failed write of `path`, naming the path, the cause and the fix. */
export function writeError(err: unknown, path: string, who: string): Error {
  if (!isErrno(err)) return err instanceof Error ? err : new Error(String(err));
  const outcome = existsSync(path) ? `${path} was left as it was` : 'no file was written';
  return new Error(`${who}: cannot write ${path}: ${reasonOf(err, path)} (${outcome})`, { cause: err });
}

function tempPathFor(path: string): string {
  const unique = `${process.pid}.${Date.now().toString(36)}${Math.floor(Math.random() * 1e9).toString(36)}`;
  return join(dirname(path), `.${basename(path)}.${unique}.tmp`);
}

function writeAll(fd: number, bytes: Uint8Array): void {
  let written = 0;
  while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
}

function writeContent(fd: number, content: FileContent): void {
  if (typeof content === 'string') writeAll(fd, Buffer.from(content, 'utf8'));
  else if (content instanceof Uint8Array) writeAll(fd, content);
  else for (const piece of content) writeAll(fd, typeof piece === 'string' ? Buffer.from(piece, 'utf8') : piece);
}

function fsyncDirectory(dir: string): void {
  // Makes the rename itself durable; not every platform lets a directory be opened.
  try {
    const dfd = openSync(dir, 'r');
    try { fsyncSync(dfd); } finally { closeSync(dfd); }
  } catch { /* best effort */ }
}

/**
 * Writes `content` to `path` atomically (see the module comment). Errors from the content
 * itself (e.g. a generator that validates as it goes) pass through unchanged; file-system
 * errors become one message naming `path`, prefixed with `who`.
 */
export function writeFileAtomic(path: string, content: FileContent, who: string): void {
  const tmp = tempPathFor(path);
  let fd: number | null = null;
  try {
    fd = openSync(tmp, 'wx', 0o644);
    writeContent(fd, content);
    fsyncSync(fd);
    closeSync(fd);
    fd = null;
    renameSync(tmp, path);
  } catch (err) {
    if (fd !== null) {
      try { closeSync(fd); } catch { /* already failing; report the first error */ }
    }
    try { unlinkSync(tmp); } catch { /* it may never have been created */ }
    throw writeError(err, path, who);
  }
  fsyncDirectory(dirname(path));
}

/** The nearest existing ancestor of `dir` (itself included) that is not a directory, if any. */
function blockingFile(dir: string): string | null {
  for (let d = dir; ; d = dirname(d)) {
    try {
      return statSync(d).isDirectory() ? null : d;
    } catch {
      if (dirname(d) === d) return null;
    }
  }
}

/** Creates the directory `path` will go in (with its parents), or says why it cannot. */
export function ensureParentDir(path: string, who: string): void {
  const dir = dirname(path);
  const blocker = blockingFile(dir);
  if (blocker !== null) {
    throw new Error(`${who}: cannot write ${path}: ${blocker} is not a directory; choose an output path inside a directory`);
  }
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw writeError(err, path, who);
  }
}
