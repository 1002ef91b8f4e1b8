import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createCliLogger, endStatusLine, showStatusLine } from '../../src/cli/logger.js';

function terminal() {
  const stream = Object.assign(new PassThrough(), { columns: 200 }) as unknown as NodeJS.WriteStream;
  let text = '';
  (stream as unknown as PassThrough).on('data', (chunk) => {
    text += chunk;
  });
  return { stream, text: () => text };
}

/** What a terminal shows: `\r` returns to the line start, ESC[K erases to its end. */
function screen(raw: string): string[] {
  const lines: string[] = [''];
  let col = 0;
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i];
    if (ch === '\n') {
      lines.push('');
      col = 0;
    } else if (ch === '\r') col = 0;
    else if (raw.startsWith('\x1b[K', i)) {
      lines[lines.length - 1] = lines[lines.length - 1].slice(0, col);
      i += 2;
    } else {
      const line = lines[lines.length - 1];
      lines[lines.length - 1] = line.slice(0, col) + ch + line.slice(col + 1);
      col++;
    }
  }
  return lines;
}

describe('the terminal progress line', () => {
  it('a log line clears the bar first, and the bar is drawn again below it', () => {
    const term = terminal();
    const logger = createCliLogger({ json: false, out: term.stream });
    showStatusLine(term.stream, '[#####-----] 5/10 done');
    logger.warn('a warning');
    showStatusLine(term.stream, '[######----] 6/10 done');
    endStatusLine();
    const shown = screen(term.text());
    expect(shown[0]).toMatch(/^\d\d:\d\d:\d\d warn: a warning$/);
    expect(shown[1]).toBe('[######----] 6/10 done');
    expect(shown[2]).toBe('');
  });
});
