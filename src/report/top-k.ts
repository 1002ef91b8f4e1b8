/** Keeps the k largest items seen, in O(log k) per item, so a million articles need no sort. */
export class TopK<T> {
  private readonly heap: { key: number; item: T }[] = [];

  constructor(private readonly k: number) {}

  /** True when the key would enter the top k: lets callers skip building the item. */
  wouldAccept(key: number): boolean {
    return this.heap.length < this.k || key > this.heap[0]!.key;
  }

  push(key: number, item: T | (() => T)): void {
    if (!this.wouldAccept(key)) return;
    const value = typeof item === 'function' ? (item as () => T)() : item;
    if (this.heap.length < this.k) {
      this.heap.push({ key, item: value });
      this.siftUp(this.heap.length - 1);
    } else {
      this.heap[0] = { key, item: value };
      this.siftDown(0);
    }
  }

  /** Largest first. */
  sorted(): T[] {
    return [...this.heap].sort((a, b) => b.key - a.key).map((e) => e.item);
  }

  private siftUp(i: number): void {
    const h = this.heap;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (h[parent]!.key <= h[i]!.key) break;
      [h[parent], h[i]] = [h[i]!, h[parent]!];
      i = parent;
    }
  }

  private siftDown(i: number): void {
    const h = this.heap;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let min = i;
      if (l < h.length && h[l]!.key < h[min]!.key) min = l;
      if (r < h.length && h[r]!.key < h[min]!.key) min = r;
      if (min === i) return;
      [h[min], h[i]] = [h[i]!, h[min]!];
      i = min;
    }
  }
}

/**
 * A fixed-size uniform sample of a stream (reservoir sampling) with a seeded generator, so the
 * same store always yields the same report.
 */
export class Reservoir<T> {
  readonly items: T[] = [];
  seen = 0;
  private state: number;

  constructor(
    private readonly size: number,
    seed = 0x9e3779b9,
  ) {
    this.state = seed >>> 0 || 1;
  }

  add(item: T): void {
    this.seen++;
    if (this.items.length < this.size) {
      this.items.push(item);
      return;
    }
    const j = Math.floor(this.random() * this.seen);
    if (j < this.size) this.items[j] = item;
  }

  private random(): number {
    // xorshift32: fast and deterministic; quality is plenty for picking chart points.
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return this.state / 0x100000000;
  }
}
