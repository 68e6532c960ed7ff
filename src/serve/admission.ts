/**
 * Admission control for a service: at most `concurrency` jobs run at once,
 * at most `queue` more wait, and any beyond are refused at once (so a
 * saturated service answers 503 quickly instead of piling up work).
 */

/** Thrown by `Admission.run` when every slot and queue place is taken. */
export class Saturated extends Error {
  constructor(
    /** Seconds after which a retry is likely to be admitted. */
    readonly retryAfterSeconds: number,
  ) {
    super(`the service is saturated; retry after ${retryAfterSeconds} s`);
    this.name = 'Saturated';
  }
}

export class Admission {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  /** Exponentially weighted mean duration of a job, in ms (for Retry-After). */
  private meanMs = 0;

  constructor(
    readonly concurrency: number,
    readonly queue: number,
  ) {
    if (!(Number.isInteger(concurrency) && concurrency >= 1)) throw new RangeError(`concurrency must be a whole number of at least 1, got ${concurrency}`);
    if (!(Number.isInteger(queue) && queue >= 0)) throw new RangeError(`queue must be a whole number of at least 0, got ${queue}`);
  }

  /** Jobs running and waiting now. */
  get load(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.length };
  }

  /** Runs `job` when a slot is free; throws Saturated when the queue is full. */
  async run<T>(job: () => Promise<T>): Promise<T> {
    if (this.running >= this.concurrency) {
      if (this.waiting.length >= this.queue) throw new Saturated(this.retryAfter());
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running++;
    }
    const t0 = performance.now();
    try {
      return await job();
    } finally {
      const ms = performance.now() - t0;
      this.meanMs = this.meanMs === 0 ? ms : 0.8 * this.meanMs + 0.2 * ms;
      const next = this.waiting.shift();
      // the slot passes straight to the next waiting job
      if (next) next();
      else this.running--;
    }
  }

  /** Seconds until the queue has likely drained: whole seconds, at least 1. */
  private retryAfter(): number {
    return Math.max(1, Math.ceil(((this.waiting.length + this.running) * this.meanMs) / this.concurrency / 1000));
  }
}
