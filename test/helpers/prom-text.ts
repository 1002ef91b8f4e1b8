/** Read Prometheus exposition text: the value of each series, keyed `name{a="x",b="y"}` as printed. */
export function parseProm(text: string): Map<string, number> {
  const series = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const cut = line.lastIndexOf(' ');
    series.set(line.slice(0, cut), Number(line.slice(cut + 1)));
  }
  return series;
}

/** Sum of every series of `name`, whatever its labels; filter by a label with `where`. */
export function sumOf(series: Map<string, number>, name: string, where: Record<string, string> = {}): number {
  let sum = 0;
  for (const [key, value] of series) {
    if (key !== name && !key.startsWith(`${name}{`)) continue;
    if (Object.entries(where).every(([label, v]) => key.includes(`${label}="${v}"`))) sum += value;
  }
  return sum;
}
