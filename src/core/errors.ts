/** Error codes ferkit raises; stable, for programs that branch on them. */
export type FerkitErrorCode =
  | 'BAD_ARGUMENT'
  | 'DATA_NOT_FOUND'
  | 'BAD_DATA'
  | 'BAD_IMAGE'
  | 'MODEL_NOT_FOUND'
  | 'BAD_MODEL'
  | 'ENGINE_UNAVAILABLE'
  | 'CHECKPOINT_MISMATCH'
  /** Something ferkit needs cannot be reached or started (the queue's Redis, a port): retry once it is there. */
  | 'UNAVAILABLE'
  /** A source stopped sending within the time allowed (a stream that stalls or trickles): check the source, or allow longer. */
  | 'TIMEOUT'
  /** A fault inside ferkit or a library under it, not the caller's input: please report it (SECURITY.md, README). */
  | 'INTERNAL';

/**
 * The codes of errors that are the caller's fault: a bad argument, or an
 * input (file, data, picture) that is missing or that ferkit cannot read.
 * The same input fails the same way again, so retrying cannot help: the
 * queue fails such a job at once instead of retrying it, a batch reports the
 * input in its place and goes on with the others, and the service answers it
 * 4xx. Every other code is ferkit's own setup (a model, an engine), something
 * that may come back (UNAVAILABLE, TIMEOUT), or a fault (INTERNAL).
 */
export const CALLER_ERRORS: readonly FerkitErrorCode[] = Object.freeze(['BAD_ARGUMENT', 'DATA_NOT_FOUND', 'BAD_DATA', 'BAD_IMAGE']);

/** Whether an error of this code is the caller's fault (CALLER_ERRORS): not retried, answered 4xx. */
export function isCallerError(code: FerkitErrorCode): boolean {
  return CALLER_ERRORS.includes(code);
}

/**
 * The one error class ferkit throws on purpose. `code` tells what kind of
 * failure it is; the message says what went wrong and what to do about it.
 */
export class FerkitError extends Error {
  readonly code: FerkitErrorCode;
  /** File the error is about, where there is one. */
  readonly file?: string;
  /** 1-based row (CSV line) the error is about, where there is one. */
  readonly row?: number;
  /**
   * The options the message asks to set or change, by their library names
   * (`skipBad`, `resume`, `outDir`, `config.arch`, ...), as the message names
   * them. Front ends name their own equivalents (the CLI its flags).
   */
  readonly options?: readonly string[];

  constructor(code: FerkitErrorCode, message: string, where: { file?: string; row?: number; cause?: unknown; options?: readonly string[] } = {}) {
    super(message, where.cause === undefined ? undefined : { cause: where.cause });
    this.name = 'FerkitError';
    this.code = code;
    if (where.file !== undefined) this.file = where.file;
    if (where.row !== undefined) this.row = where.row;
    if (where.options !== undefined) this.options = where.options;
  }
}

/** `err` as a FerkitError: itself, or an INTERNAL error wrapping it, its message prefixed with `what`. */
export function asFerkitError(err: unknown, what: string): FerkitError {
  if (err instanceof FerkitError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new FerkitError('INTERNAL', `${what}: ${message.length > 200 ? `${message.slice(0, 200)}...` : message}`, { cause: err });
}

const EXCERPT = 40;

/** A short, printable excerpt of a value for an error message. */
export function excerpt(value: unknown, max = EXCERPT): string {
  let text: string;
  try {
    text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  // eslint-disable-next-line no-control-regex
  text = text.replace(/[\u0000-\u001f\u007f]/g, ' ');
  return text.length > max ? `${text.slice(0, max)}... (${text.length} characters)` : text;
}
