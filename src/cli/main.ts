import { FerkitError } from '../errors.js';
import { closest } from './suggest.js';
import { cliMessage } from './errors.js';
import { EVAL_HELP, evalCommand } from './eval.js';
import { INFO_HELP, infoCommand, packageVersion } from './info.js';
import { TRAIN_HELP, trainCommand } from './train.js';
import { PREDICT_HELP, predictCommand } from './predict.js';
import { VIDEO_HELP, videoCommand } from './video.js';
import { CALIBRATE_HELP, calibrateCommand } from './calibrate.js';
import { REPORT_HELP, reportCommand } from './report.js';
import { EXPORT_HELP, exportCommand } from './export.js';
import { ENSEMBLE_HELP, ensembleCommand } from './ensemble.js';
import { COMPARE_HELP, compareCommand } from './compare.js';
import { SERVE_HELP, serveCommand } from './serve.js';
import { WORKER_HELP, workerCommand } from './worker.js';
import { SUBMIT_HELP, submitCommand } from './submit.js';

const COMMANDS: readonly [string, string][] = [
  ['predict', 'faces and their emotions in pictures'],
  ['video', 'faces and their emotions over time in a video file, stream or camera'],
  ['serve', 'HTTP API: pictures in, faces and emotions out'],
  ['worker', 'take picture and video jobs from a queue in Redis (scale out)'],
  ['submit', 'put pictures and videos on the queue; --wait prints the results'],
  ['eval', 'accuracy of a model on a dataset'],
  ['compare', 'is one model really more accurate than another? (paired test)'],
  ['train', 'train a model'],
  ['calibrate', 'fit a temperature so probabilities mean what they say'],
  ['report', 'evaluation report: HTML page and pictures'],
  ['export', 'copy a model folder for shipping (float16 weights)'],
  ['ensemble', 'one model folder that averages several models'],
  ['info', 'version, backend and why, every bundled model (accuracy, size), architectures'],
];

/** The short help: what ferkit is and its commands, a line each. */
export const HELP = `ferkit — facial expression recognition: which of seven emotions each face shows

usage: ferkit <command> [options]

${COMMANDS.map(([c, what]) => `  ${c.padEnd(10)} ${what}`).join('\n')}

  ferkit predict photo.jpg        try it on a picture
  ferkit help <command>           a command's options and examples
  ferkit help --all               every command's options`;

/** Each command's full help, by name. */
export const COMMAND_HELP: Readonly<Record<string, string>> = {
  train: TRAIN_HELP,
  eval: EVAL_HELP,
  compare: COMPARE_HELP,
  predict: PREDICT_HELP,
  video: VIDEO_HELP,
  calibrate: CALIBRATE_HELP,
  report: REPORT_HELP,
  export: EXPORT_HELP,
  ensemble: ENSEMBLE_HELP,
  info: INFO_HELP,
  serve: SERVE_HELP,
  worker: WORKER_HELP,
  submit: SUBMIT_HELP,
};

/** Every command's full help, in the order of the short help: the CLI reference. */
export function fullHelp(): string {
  return COMMANDS.map(([c]) => COMMAND_HELP[c]).join('\n\n');
}

function unknownCommand(command: string): string {
  const guess = closest(command, [...COMMANDS.map(([c]) => c), 'help', 'version']);
  return `unknown command "${command}"${guess ? `; did you mean \`ferkit ${guess}\`?` : '.'} Run \`ferkit help\` for the list of commands.`;
}

/** Whether FERKIT_DEBUG asks for stack traces. */
const debug = () => Boolean(process.env.FERKIT_DEBUG) && process.env.FERKIT_DEBUG !== '0';

/** One line for an error nobody expected: its message, and how to see more. */
function unexpected(err: unknown, command: string | undefined): string {
  const message = (err instanceof Error ? err.message : String(err)).replace(/\s+/g, ' ').trim().slice(0, 300);
  if (debug()) return `ferkit${command ? ` ${command}` : ''}: ${err instanceof Error && err.stack ? err.stack : message}`;
  return `ferkit${command ? ` ${command}` : ''}: ${message || 'unexpected error'} (an unexpected error: run again with FERKIT_DEBUG=1 for its stack trace, and please report it)`;
}

let guarded = false;

/**
 * Once per process: a reader that closes stdout early (\`| head\`) ends the
 * command quietly with exit code 0, as it would a C tool; a broken stderr is
 * ignored; an error thrown outside the command's own chain is one line, not a
 * stack trace (FERKIT_DEBUG=1 shows it).
 */
function guardProcess(command: string | undefined): void {
  if (guarded) return;
  guarded = true;
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED') process.exit(0);
    process.exit(1);
  });
  process.stderr.on('error', () => {});
  const fatal = (err: unknown) => {
    if ((err as NodeJS.ErrnoException)?.code === 'EPIPE') process.exit(0);
    process.stderr.write((err instanceof FerkitError ? `ferkit${command ? ` ${command}` : ''}: ${err.message}` : unexpected(err, command)) + '\n');
    process.exit(1);
  };
  process.on('uncaughtException', fatal);
  process.on('unhandledRejection', fatal);
}

/** Runs the CLI; returns the exit code (0 ok, 1 failure, 2 bad usage). */
export async function main(argv: string[]): Promise<number> {
  const log = (s: string) => void process.stderr.write(s + '\n');
  const out = (s: string) => void process.stdout.write(s);
  const [command, ...rest] = argv;
  guardProcess(command);
  try {
    if (command !== undefined && COMMAND_HELP[command] && (rest.includes('--help') || rest.includes('-h'))) {
      out(COMMAND_HELP[command] + '\n');
      return 0;
    }
    switch (command) {
      case 'train':
        return await trainCommand(rest, log);
      case 'eval':
        return await evalCommand(rest, log, out);
      case 'compare':
        return await compareCommand(rest, log, out);
      case 'predict':
        return await predictCommand(rest, log, out);
      case 'video':
        return await videoCommand(rest, log, out);
      case 'calibrate':
        return await calibrateCommand(rest, log, out);
      case 'report':
        return await reportCommand(rest, log, out);
      case 'export':
        return await exportCommand(rest, out);
      case 'ensemble':
        return await ensembleCommand(rest, out);
      case 'info':
        return await infoCommand(rest, out);
      case 'serve':
        return await serveCommand(rest, log);
      case 'worker':
        return await workerCommand(rest, log);
      case 'submit':
        return await submitCommand(rest, log, out);
      case '--version':
      case '-v':
      case 'version':
        out(packageVersion() + '\n');
        return 0;
      case undefined:
      case 'help':
      case '--help':
      case '-h': {
        const topic = rest[0];
        if (topic === undefined || topic === '--help' || topic === '-h') out(HELP + '\n');
        else if (topic === '--all' || topic === 'all') out(fullHelp() + '\n');
        else if (COMMAND_HELP[topic]) out(COMMAND_HELP[topic] + '\n');
        else {
          log(`ferkit help: ${unknownCommand(topic)}`);
          return 2;
        }
        return 0;
      }
      default:
        log(`ferkit: ${unknownCommand(command)}`);
        return 2;
    }
  } catch (err) {
    if (err instanceof FerkitError) {
      const message = cliMessage(err, command ?? '');
      log(
        `ferkit ${command}: ${message}${err.code === 'BAD_ARGUMENT' ? `${/[.?!]$/.test(message) ? '' : '.'} Run \`ferkit help ${command}\` for its options.` : ''}`,
      );
      return err.code === 'BAD_ARGUMENT' ? 2 : 1;
    }
    if ((err as NodeJS.ErrnoException)?.code === 'EPIPE') return 0;
    log(unexpected(err, command));
    return 1;
  }
}
