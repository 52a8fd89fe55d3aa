/**
 * Combines calls that arrive while earlier ones are in flight into one statement: one round trip, one
 * parse (and for writes one commit) for the lot instead of one each. On a small machine a round trip
 * costs more than the SQL inside it. A batch that fails as a whole is run again one item per call, so
 * each caller meets only its own fate.
 */
export class Batcher<In, Out> {
  private queue: { item: In; resolve: (v: Out) => void; reject: (err: unknown) => void }[] = [];
  private inFlight = 0;
  /** Batches run, items in them and time spent (the benchmark prints the means). */
  readonly stats = { batches: 0, items: 0, ms: 0 };

  /** run(items) must return one result per item, in order. */
  constructor(
    private readonly run: (items: In[]) => Promise<Out[]>,
    private readonly opts: { maxBatch: number; maxInFlight: number },
  ) {}

  /** Runs one item, possibly together with others. */
  submit(item: In): Promise<Out> {
    return new Promise((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (this.inFlight < this.opts.maxInFlight) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.inFlight++;
    try {
      while (this.queue.length > 0) await this.flush(this.queue.splice(0, this.opts.maxBatch));
    } finally {
      this.inFlight--;
    }
  }

  private async flush(batch: { item: In; resolve: (v: Out) => void; reject: (err: unknown) => void }[]): Promise<void> {
    this.stats.batches++;
    this.stats.items += batch.length;
    const t0 = performance.now();
    try {
      const out = await this.run(batch.map((b) => b.item));
      this.stats.ms += performance.now() - t0;
      batch.forEach((b, i) => b.resolve(out[i]));
    } catch (err) {
      if (batch.length === 1) {
        batch[0].reject(err);
        return;
      }
      // The statement did nothing; each item now stands alone.
      await Promise.all(
        batch.map(async (b) => {
          try {
            b.resolve((await this.run([b.item]))[0]);
          } catch (e) {
            b.reject(e);
          }
        }),
      );
    }
  }
}
