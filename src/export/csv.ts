/** RFC 4180 quoting; a leading =,+,-,@ is prefixed so spreadsheets never run crawled text as a formula. */
export function csvField(value: unknown): string {
  if (value === undefined || value === null) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvRow(values: readonly unknown[]): string {
  return `${values.map(csvField).join(',')}\r\n`;
}

/** Byte order mark: lets Excel and LibreOffice detect UTF-8 and show Chinese titles. */
export const UTF8_BOM = '\uFEFF';
