import { FerkitError } from '../errors.js';
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

const HELP = `ferkit — facial expression recognition: train, evaluate and run emotion CNNs

usage: ferkit <command> [options]

commands:
  train    train a model (default: the paper's recipe)
  eval     evaluate a model on a dataset
  compare  is one model really more accurate than another? (paired test on the same images)
  predict  faces and their emotions in pictures
  video    faces and their emotions over time in a video (needs ffmpeg)
  calibrate  fit a temperature on held-out data so probabilities mean what they say
  report   evaluation report: HTML page, confusion matrix and other pictures
  export   copy a model folder for shipping, optionally with float16 weights
  ensemble one model folder that averages several models
  info     version, backend in use and why, default model, architectures
  help     this text, or \`ferkit help <command>\`

`;

const COMMAND_HELP: Record<string, string> = { train: TRAIN_HELP, eval: EVAL_HELP, compare: COMPARE_HELP, predict: PREDICT_HELP, video: VIDEO_HELP, calibrate: CALIBRATE_HELP, report: REPORT_HELP, export: EXPORT_HELP, ensemble: ENSEMBLE_HELP, info: INFO_HELP };

/** Runs the CLI; returns the exit code (0 ok, 1 failure, 2 bad usage). */
export async function main(argv: string[]): Promise<number> {
  const log = (s: string) => void process.stderr.write(s + '\n');
  const out = (s: string) => void process.stdout.write(s);
  const [command, ...rest] = argv;
  try {
    if (rest.includes('--help') || rest.includes('-h')) {
      out((COMMAND_HELP[command ?? ''] ?? HELP) + '\n');
      return 0;
    }
    switch (command) {
      case 'train': return await trainCommand(rest, log);
      case 'eval': return await evalCommand(rest, log, out);
      case 'compare': return await compareCommand(rest, log, out);
      case 'predict': return await predictCommand(rest, log, out);
      case 'video': return await videoCommand(rest, log, out);
      case 'calibrate': return await calibrateCommand(rest, log, out);
      case 'report': return await reportCommand(rest, log, out);
      case 'export': return await exportCommand(rest, out);
      case 'ensemble': return await ensembleCommand(rest, out);
      case 'info': return await infoCommand(rest, out);
      case '--version': case '-v': case 'version': out(packageVersion() + '\n'); return 0;
      case undefined: case 'help': case '--help': case '-h':
        out((rest[0] && COMMAND_HELP[rest[0]] ? COMMAND_HELP[rest[0]] : HELP + Object.values(COMMAND_HELP).join('\n\n')) + '\n');
        return 0;
      default:
        log(`ferkit: unknown command "${command}". Run \`ferkit help\`.`);
        return 2;
    }
  } catch (err) {
    if (err instanceof FerkitError) {
      log(`ferkit ${command}: ${err.message}`);
      return err.code === 'BAD_ARGUMENT' ? 2 : 1;
    }
    throw err;
  }
}
