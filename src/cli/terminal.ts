/**
 * The terminal's escape sequences, in one place: a status line that is
 * redrawn in place on a terminal and never written elsewhere (a log file,
 * a pipe).
 */

/** Back to the start of the line, and clear it. */
export const CLEAR_LINE = '\r\x1b[2K';

/** One line of progress on a stream (stderr), redrawn in place; nothing at all where the stream is not a terminal. */
export class StatusLine {
  /** Whether the line is drawn: a terminal, and `enabled`. */
  readonly active: boolean;

  constructor(
    private readonly stream: NodeJS.WriteStream = process.stderr,
    enabled = true,
  ) {
    this.active = enabled && Boolean(stream.isTTY);
  }

  /** Replaces the line with `text`. */
  show(text: string): void {
    if (this.active) this.stream.write(CLEAR_LINE + text);
  }

  /** Clears the line, before other output or at the end. */
  clear(): void {
    if (this.active) this.stream.write(CLEAR_LINE);
  }

  /** `CLEAR_LINE` where the line is drawn, else nothing: the start of a log line that replaces it. */
  get prefix(): string {
    return this.active ? CLEAR_LINE : '';
  }
}
