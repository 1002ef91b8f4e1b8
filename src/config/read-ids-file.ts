import { readFile } from 'node:fs/promises';
import { InvalidInputError } from '../core/errors.js';

/** One ID per line; blank lines and `#` comments ignored; commas and spaces also separate IDs. */
export async function readIdsFile(file: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new InvalidInputError(
      `cannot read IDs file ${file}: ${(cause as NodeJS.ErrnoException).code ?? cause}`,
      {
        cause,
        hint: 'check the --ids-file path',
      },
    );
  }
  return text
    .split(/\r?\n/)
    .map((line) => line.replace(/#.*/, '').trim())
    .flatMap((line) => line.split(/[\s,]+/))
    .filter((id) => id.length > 0);
}
