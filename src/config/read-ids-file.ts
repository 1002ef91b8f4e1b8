import { readFile } from 'node:fs/promises';
import { InvalidInputError } from '../core/errors.js';

/** How much of a rejected line a message shows: enough to recognise it, never a whole 1 MB line. */
export const SHOWN_CHARS = 60;

/** `text` cut to `max` characters, saying how long it really was. */
export function shortenForMessage(text: string, max = SHOWN_CHARS): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length} chars)`;
}

function refuse(file: string, problem: string, hint: string): InvalidInputError {
  return new InvalidInputError(`IDs file ${file} ${problem}`, { hint });
}

/**
 * One ID (or profile URL) per line; blank lines and `#` comments are ignored. A line is taken
 * whole: `a b` or `a,b` is one (invalid) ID, never two. A file that is binary (NUL bytes, not
 * UTF-8) or looks like a CSV/JSONL export is refused as a whole, since each of its lines would
 * only become a junk ID.
 */
export async function readIdsFile(file: string): Promise<string[]> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code ?? String(cause);
    throw new InvalidInputError(`cannot read IDs file ${file}: ${code}`, {
      cause,
      hint: code === 'EISDIR' ? 'give a file, not a directory' : 'check the --ids-file path',
    });
  }
  if (bytes.includes(0)) {
    throw refuse(file, 'is binary (it contains NUL bytes)', 'give a text file with one ID per line');
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw refuse(file, 'is not UTF-8 text', 'give a text file with one ID per line');
  }
  const lines = text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n|\r/)
    .map((line) => line.replace(/#.*/, '').trim())
    .filter((line) => line.length > 0);
  const first = lines[0] ?? '';
  if (first.startsWith('{')) {
    throw refuse(
      file,
      `looks like a JSONL export (first line ${JSON.stringify(shortenForMessage(first))})`,
      'an IDs file has one ID per line; take the usernames out first',
    );
  }
  if (first.includes(',')) {
    throw refuse(
      file,
      `looks like a CSV file (first line ${JSON.stringify(shortenForMessage(first))})`,
      'an IDs file has one ID per line; take one column out first, e.g. cut -d, -f1',
    );
  }
  return lines;
}
