/** A map bounded in entries and in their summed weights that drops the least recently used keys first. */
export class Lru<V> {
  private readonly map = new Map<string, { value: V; weight: number }>();
  private weights = 0;
  /** The most recently used key: already last in the map, so using it again moves nothing (a hot key costs no delete and set). */
  private newest: string | undefined;
  constructor(
    private readonly max: number,
    private readonly maxWeight = Infinity,
  ) {}

  get size(): number {
    return this.map.size;
  }

  get weight(): number {
    return this.weights;
  }

  get(key: string): V | undefined {
    const entry = this.map.get(key);
    if (!entry) return undefined;
    if (key !== this.newest) {
      this.map.delete(key);
      this.map.set(key, entry);
      this.newest = key;
    }
    return entry.value;
  }

  set(key: string, value: V, weight = 0): void {
    this.delete(key);
    while (this.map.size && (this.map.size >= this.max || this.weights + weight > this.maxWeight)) this.delete(this.map.keys().next().value as string);
    this.map.set(key, { value, weight });
    this.newest = key;
    this.weights += weight;
  }

  delete(key: string): void {
    const entry = this.map.get(key);
    if (!entry) return;
    if (key === this.newest) this.newest = undefined;
    this.map.delete(key);
    this.weights -= entry.weight;
  }

  /** Every entry, least recently used first, without touching their order. */
  *entries(): IterableIterator<[string, V]> {
    for (const [key, entry] of this.map) yield [key, entry.value];
  }

  clear(): void {
    this.map.clear();
    this.newest = undefined;
    this.weights = 0;
  }
}
