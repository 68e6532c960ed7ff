import { FerkitError } from '../core/errors.js';
import { closest } from './suggest.js';
import { cliMessage } from './errors.js';
import { packageVersion } from '../fs/package.js';

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

type Log = (s: string) => void;
/** A command: its full help, and how it runs (exit code). */
interface Command {
  help: string;
  run(args: string[], log: Log, out: Log): Promise<number>;
}

/**
 * Each command's module, loaded when the command runs (or its help is
 * asked for), so that a command starts without loading the others' code
 * (TensorFlow.js for training, Fastify, BullMQ).
 */
const COMMAND_MODULES: Readonly<Record<string, () => Promise<Command>>> = {
  train: async () => import('./train.js').then((m) => ({ help: m.TRAIN_HELP, run: (a, log) => m.trainCommand(a, log) })),
  eval: async () => import('./eval.js').then((m) => ({ help: m.EVAL_HELP, run: (a, log, out) => m.evalCommand(a, log, out) })),
  compare: async () => import('./compare.js').then((m) => ({ help: m.COMPARE_HELP, run: (a, log, out) => m.compareCommand(a, log, out) })),
  predict: async () => import('./predict.js').then((m) => ({ help: m.PREDICT_HELP, run: (a, log, out) => m.predictCommand(a, log, out) })),
  video: async () => import('./video.js').then((m) => ({ help: m.VIDEO_HELP, run: (a, log, out) => m.videoCommand(a, log, out) })),
  calibrate: async () => import('./calibrate.js').then((m) => ({ help: m.CALIBRATE_HELP, run: (a, log, out) => m.calibrateCommand(a, log, out) })),
  report: async () => import('./report.js').then((m) => ({ help: m.REPORT_HELP, run: (a, log, out) => m.reportCommand(a, log, out) })),
  export: async () => import('./export.js').then((m) => ({ help: m.EXPORT_HELP, run: (a, _log, out) => m.exportCommand(a, out) })),
  ensemble: async () => import('./ensemble.js').then((m) => ({ help: m.ENSEMBLE_HELP, run: (a, _log, out) => m.ensembleCommand(a, out) })),
  info: async () => import('./info.js').then((m) => ({ help: m.INFO_HELP, run: (a, _log, out) => m.infoCommand(a, out) })),
  serve: async () => import('./serve.js').then((m) => ({ help: m.SERVE_HELP, run: (a, log) => m.serveCommand(a, log) })),
  worker: async () => import('./worker.js').then((m) => ({ help: m.WORKER_HELP, run: (a, log) => m.workerCommand(a, log) })),
  submit: async () => import('./submit.js').then((m) => ({ help: m.SUBMIT_HELP, run: (a, log, out) => m.submitCommand(a, log, out) })),
};

/** Each command's full help, by name (loads every command's module). */
export async function commandHelp(): Promise<Record<string, string>> {
  const entries = await Promise.all(Object.entries(COMMAND_MODULES).map(async ([name, load]) => [name, (await load()).help] as const));
  return Object.fromEntries(entries);
}

/** Every command's full help, in the order of the short help: the CLI reference. */
export async function fullHelp(): Promise<string> {
  const help = await commandHelp();
  return COMMANDS.map(([c]) => help[c]).join('\n\n');
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
    process.stderr.write(
      (err instanceof FerkitError ? `ferkit${command ? ` ${command}` : ''}: ${cliMessage(err, command ?? '')}` : unexpected(err, command)) + '\n',
    );
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
    const load = command === undefined ? undefined : COMMAND_MODULES[command];
    if (load) {
      const cmd = await load();
      if (rest.includes('--help') || rest.includes('-h')) {
        out(cmd.help + '\n');
        return 0;
      }
      return await cmd.run(rest, log, out);
    }
    switch (command) {
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
        else if (topic === '--all' || topic === 'all') out((await fullHelp()) + '\n');
        else if (COMMAND_MODULES[topic]) out((await COMMAND_MODULES[topic]()).help + '\n');
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
