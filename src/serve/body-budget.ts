/**
 * The bytes of request bodies a service holds at once. A request reserves
 * its body's size (its Content-Length, or the largest body when it does not
 * say) before a byte of it is read; while the budget is spent, requests wait
 * unread (their bytes stay with the client, held back by TCP), a bounded
 * number of them for a bounded time, and any beyond are refused at once. So
 * the memory that bodies take is set by the configuration, whatever number
 * of clients send at once.
 */
import { Saturated } from './admission.js';

interface Waiter {
  bytes: number;
  grant: () => void;
}

export class BodyBudget {
  private used = 0;
  private readonly waiting: Waiter[] = [];

  constructor(
    /** Bytes of bodies held at once. */
    readonly capacity: number,
    /** Requests that may wait for room; more get Saturated. */
    readonly maxWaiting: number,
    /** Longest wait for room, in ms; past it, Saturated. */
    readonly maxWaitMs: number,
  ) {
    if (!(capacity > 0)) throw new RangeError(`the body budget must be above 0 bytes, got ${capacity}`);
  }

  /** Bytes reserved now, and requests waiting for room. */
  get load(): { bodyBytes: number; waitingBodies: number } {
    return { bodyBytes: this.used, waitingBodies: this.waiting.length };
  }

  /**
   * Reserves `bytes` (at most the capacity) and resolves with the function
   * that gives them back (once, however often it is called). Waits, first
   * come first served, while others hold the budget; throws Saturated when
   * too many wait or the wait is too long. A request whose client has gone
   * (`signal` aborted) leaves the line.
   */
  async reserve(bytes: number, signal?: AbortSignal): Promise<() => void> {
    const want = Math.min(Math.max(0, Math.ceil(bytes)), this.capacity);
    let held = false;
    const release = () => {
      if (!held) return;
      held = false;
      this.used -= want;
      this.wake();
    };
    if (!this.waiting.length && this.used + want <= this.capacity) {
      this.used += want;
      held = true;
      return release;
    }
    if (this.waiting.length >= this.maxWaiting) throw new Saturated(this.retryAfter());
    await new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        bytes: want,
        grant: () => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', leave);
          held = true;
          resolve();
        },
      };
      const out = (err: Error) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', leave);
        const i = this.waiting.indexOf(waiter);
        if (i >= 0) this.waiting.splice(i, 1);
        this.wake();
        reject(err);
      };
      const leave = () => out(new Error('the client left before its body was read'));
      const timer = setTimeout(() => out(new Saturated(this.retryAfter())), this.maxWaitMs);
      signal?.addEventListener('abort', leave, { once: true });
      this.waiting.push(waiter);
      if (signal?.aborted) leave();
    });
    return release;
  }

  /** Grants the waiting requests, in order, as far as the room goes. */
  private wake(): void {
    while (this.waiting.length && this.used + this.waiting[0].bytes <= this.capacity) {
      const w = this.waiting.shift()!;
      this.used += w.bytes;
      w.grant();
    }
  }

  private retryAfter(): number {
    return Math.max(1, Math.min(30, this.waiting.length));
  }
}
