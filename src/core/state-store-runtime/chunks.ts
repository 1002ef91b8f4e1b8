/**
 * Runs `work` on parts of at most `size` items and sums what it resolves with. `reverse` sends the
 * last part first (for writes that prepend, so the whole list keeps its order).
 */
export async function eachChunk<T>(
  items: readonly T[],
  size: number,
  work: (part: T[]) => Promise<number>,
  reverse = false,
): Promise<number> {
  const starts: number[] = [];
  for (let i = 0; i < items.length; i += size) starts.push(i);
  if (reverse) starts.reverse();
  let total = 0;
  for (const start of starts) total += await work(items.slice(start, start + size));
  return total;
}

/**
 * Asks for up to `size` at a time until `wanted` were moved or a call moved fewer than it was asked
 * (the source ran dry). Resolves with how many were moved.
 */
export async function untilShort(
  wanted: number,
  size: number,
  work: (n: number) => Promise<number>,
): Promise<number> {
  let moved = 0;
  while (moved < wanted) {
    const want = Math.min(size, wanted - moved);
    const got = await work(want);
    moved += got;
    if (got < want) break;
  }
  return moved;
}
