import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { realpath, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { StoreError } from '../core/errors.js';

/** Where output goes: a file replaced atomically on success, or the process's stdout (`-`). */
export interface OutputSink {
  /** Resolves once the chunk is buffered (waits for drain on a slow reader). */
  write(chunk: string): Promise<void>;
  /** Flush and, for a file, rename the temporary file over the target. */
  commit(): Promise<void>;
  /** Drop the temporary file; the previous target stays as it was. */
  abort(): Promise<void>;
  /** What to call it in messages. */
  readonly label: string;
}

/** One line naming the path and the fix, for any output path the user got wrong. */
export function outputPathError(target: string, cause: unknown): StoreError {
  const code = (cause as NodeJS.ErrnoException)?.code ?? 'error';
  const why: Record<string, string> = {
    EISDIR: 'is a directory',
    ENOTDIR_FILE: 'is a file, not a directory',
    ENOTDIR: 'is below something that is not a directory',
    ENOENT: 'is in a directory that does not exist',
    EACCES: 'is not writable',
    EPERM: 'is not writable',
    EROFS: 'is on a read-only file system',
    ENOSPC: 'cannot be written: the disk is full',
  };
  return new StoreError(`cannot write ${target}: it ${why[code] ?? `failed (${code})`}`, {
    cause,
    hint: 'choose another --out path; nothing was changed',
  });
}

/** A temporary sibling of `target`, so the final rename stays on one file system. */
export function temporarySibling(target: string): string {
  const dir = path.dirname(target);
  const rand = Math.random().toString(36).slice(2, 8);
  return path.join(dir, `.${path.basename(target)}.tmp-${process.pid}-${rand}`);
}

async function openStream(file: string): Promise<WriteStream> {
  const stream = createWriteStream(file, { encoding: 'utf8', flags: 'wx' });
  await new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', reject);
  });
  return stream;
}

/**
 * Opens `target` for writing: `-` is stdout, anything else a temporary file renamed over the
 * target only by `commit()`, so a failure half way leaves the earlier file intact.
 */
export async function openOutput(target: string): Promise<OutputSink> {
  if (target === '-') {
    const out = process.stdout;
    return {
      label: 'stdout',
      async write(chunk) {
        if (!out.write(chunk)) await once(out, 'drain');
      },
      async commit() {},
      async abort() {},
    };
  }
  const resolved = path.resolve(target);
  const existing = await stat(resolved).catch(() => undefined);
  if (existing?.isDirectory()) throw outputPathError(target, Object.assign(new Error(), { code: 'EISDIR' }));
  // A device, FIFO or /dev/stdout-like name: there is no file to replace, so write straight to it.
  if ((existing && !existing.isFile()) || /^\/(dev|proc)\//.test(resolved))
    return directOutput(target, resolved);
  // Through a symlink the real file is replaced, and the link stays.
  const file = existing ? await realpath(resolved) : resolved;
  const tmp = temporarySibling(file);
  let stream: WriteStream;
  try {
    stream = await openStream(tmp);
  } catch (error) {
    throw outputPathError(target, error);
  }
  let failure: unknown;
  stream.on('error', (error) => {
    failure = error;
  });
  const finish = () => endStream(stream);
  return {
    label: target,
    async write(chunk) {
      if (failure) throw outputPathError(target, failure);
      if (!stream.write(chunk)) await Promise.race([once(stream, 'drain'), once(stream, 'error')]);
      if (failure) throw outputPathError(target, failure);
    },
    async commit() {
      await finish();
      if (failure) {
        await rm(tmp, { force: true });
        throw outputPathError(target, failure);
      }
      try {
        await rename(tmp, file);
      } catch (error) {
        await rm(tmp, { force: true });
        throw outputPathError(target, error);
      }
    },
    async abort() {
      await finish();
      await rm(tmp, { force: true });
    },
  };
}

async function directOutput(target: string, file: string): Promise<OutputSink> {
  let stream: WriteStream;
  try {
    stream = createWriteStream(file, { encoding: 'utf8', flags: 'a' });
    await once(stream, 'open');
  } catch (error) {
    throw outputPathError(target, error);
  }
  const done = () => endStream(stream);
  return {
    label: target,
    async write(chunk) {
      if (!stream.write(chunk)) await once(stream, 'drain');
    },
    commit: done,
    abort: done,
  };
}

/** Writes a whole file atomically (tmp + rename). */
export async function writeFileAtomic(target: string, content: string): Promise<void> {
  const sink = await openOutput(target);
  try {
    await sink.write(content);
    await sink.commit();
  } catch (error) {
    await sink.abort();
    throw error;
  }
}

/** Ends a file stream and waits until it is closed (a stream that failed is closed already). */
async function endStream(stream: WriteStream): Promise<void> {
  if (!stream.closed) {
    stream.end();
    await once(stream, 'close').catch(() => undefined);
  }
}
