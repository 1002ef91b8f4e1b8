/** A promise's outcome held as a value: awaiting it never throws, so it can wait unobserved. */
export type Settled<T> = Promise<{ ok: true; value: T } | { ok: false; error: unknown }>;

/** Start observing `promise` now (no unhandled rejection while other work runs first). */
export function settle<T>(promise: Promise<T>): Settled<T> {
  return promise.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
}

/** The value, or the error thrown again. */
export async function unsettle<T>(settled: Settled<T>): Promise<T> {
  const outcome = await settled;
  if (!outcome.ok) throw outcome.error;
  return outcome.value;
}

/**
 * Both results; when one fails, the other is still waited for (no request of an attempt may
 * outlive it) and the first one's error wins.
 */
export async function both<A, B>(a: Promise<A>, b: Promise<B>): Promise<[A, B]> {
  const [ra, rb] = await Promise.allSettled([a, b]);
  if (ra.status === 'rejected') throw ra.reason;
  if (rb.status === 'rejected') throw rb.reason;
  return [ra.value, rb.value];
}
