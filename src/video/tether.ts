/**
 * Child processes (ffmpeg, ffprobe) that die with the process that started
 * them. Node cannot set PR_SET_PDEATHSIG, and ffmpeg outlives a killed
 * parent as long as it has nothing to write (a stream that trickles or
 * stalls), so each child is started under a small POSIX shell that keeps a
 * lifeline: a pipe (file descriptor 3) that only this process holds open.
 * The shell runs the command in the background and waits on the lifeline;
 * when the lifeline ends (this process exits, is killed with SIGKILL, or
 * calls `stop()`), the shell kills the command with SIGKILL at once. The
 * command's own stdin, stdout and stderr are untouched. On Windows, where
 * there is no POSIX shell, the command is started directly.
 */
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import type { Socket } from 'node:net';

/** Exit code of the shell when the command cannot be found or run (as a shell gives). */
export const NOT_FOUND_EXIT = 127;

/**
 * `$1...` is the command and its arguments. fd 4 keeps the shell's stdin for
 * the command (a background job's stdin is otherwise /dev/null); the
 * watcher reads the lifeline (fd 3) and kills the command when it ends;
 * the shell exits with the command's code.
 */
const SCRIPT = [
  'command -v "$1" >/dev/null 2>&1 || exit 127',
  'exec 4<&0',
  '"$@" <&4 3<&- 4<&- & p=$!',
  '{ read -r _ <&3; kill -KILL "$p" 2>/dev/null; } 4<&- &',
  'w=$!',
  'exec 3<&- 4<&-',
  'wait "$p"; c=$?',
  'kill "$w" 2>/dev/null',
  'exit "$c"',
].join('\n');

export interface TetheredProcess {
  /** The process started: the shell that watches the command (its pid is the shell's), or the command itself on Windows. */
  readonly proc: ChildProcess;
  /** Kills the command (SIGKILL) and ends the process. Safe to call more than once. */
  stop(): void;
}

/** Whether commands are tethered here (a POSIX shell is at hand). */
export const tethered = process.platform !== 'win32';

/**
 * Starts `command args` so that it dies with this process; `stdio` gives
 * its stdin, stdout and stderr as for `spawn`. A command that is not found
 * exits with NOT_FOUND_EXIT (or, on Windows, emits `error`).
 */
export function spawnTethered(command: string, args: readonly string[], stdio: [StdioOptions, StdioOptions, StdioOptions] | StdioOptions[]): TetheredProcess {
  if (!tethered) {
    const proc = spawn(command, args, { stdio: stdio as StdioOptions, windowsHide: true });
    return { proc, stop: () => void proc.kill('SIGKILL') };
  }
  const proc = spawn('/bin/sh', ['-c', SCRIPT, 'ferkit-tether', command, ...args], { stdio: [...stdio.slice(0, 3), 'pipe'] as StdioOptions });
  const lifeline = proc.stdio[3] as Socket | null;
  // the lifeline carries nothing: its end is the message; an error on it (the shell gone) changes nothing
  lifeline?.on('error', () => {});
  lifeline?.resume();
  proc.once('exit', () => lifeline?.destroy());
  let stopped = false;
  return {
    proc,
    stop: () => {
      if (stopped) return;
      stopped = true;
      lifeline?.destroy();
    },
  };
}
