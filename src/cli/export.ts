import { statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { FerkitError } from '../errors.js';
import { initEngine } from '../node/engine.js';
import { readMetadata, resolveModelDir } from '../node/model-folder.js';
import { type WeightsDtype } from '../models/metadata.js';
import { exportModel } from '../node/export.js';
import { parseFlags, backendFlag } from './args.js';

export const EXPORT_HELP = `ferkit export --model DIR --out DIR [--float16] [--keep-batchnorm]

Writes an inference copy of a model folder for shipping: model.json +
weights.bin (TensorFlow.js layers format) + ferkit.json (labels,
preprocessing, calibration, training config and metrics are kept), and the
training log. Batch normalisations that follow a convolution or dense layer
are folded into its kernel and bias (same outputs, fewer operations: faster,
above all at batch 1); the copy is for prediction, not for more training.

  --model DIR   model folder to export (required)
  --out DIR     new folder (required; not the model's own folder)
  --float16     store the weights as float16: half the size; tfjs decodes
                them to float32 on load. Check the copy with \`ferkit eval\`.
  --keep-batchnorm  do not fold batch normalisation
  --backend NAME`;

export async function exportCommand(argv: string[], out: (s: string) => void): Promise<number> {
  const { values: v } = parseFlags(argv, {
    model: { type: 'string' },
    out: { type: 'string' },
    float16: { type: 'boolean' },
    'keep-batchnorm': { type: 'boolean' },
    backend: { type: 'string' },
  });
  if (!v.model || !v.out) throw new FerkitError('BAD_ARGUMENT', 'export needs --model DIR and --out DIR');
  const dir = resolveModelDir(v.model);
  if (resolve(dir) === resolve(v.out)) throw new FerkitError('BAD_ARGUMENT', "--out must be a new folder, not the model's own");
  if (readMetadata(dir).members)
    throw new FerkitError('BAD_ARGUMENT', `${dir} is an ensemble: export each member, then put them together with \`ferkit ensemble\``);
  await initEngine(backendFlag(v.backend));
  const weights: WeightsDtype = v.float16 ? 'float16' : 'float32';
  const { folded } = await exportModel(dir, v.out, { weights, keepBatchNorm: Boolean(v['keep-batchnorm']) });
  const mb = (d: string) => (statSync(join(d, 'weights.bin')).size / 2 ** 20).toFixed(2);
  out(`exported ${dir} -> ${v.out} (${weights} weights: ${mb(dir)} MB -> ${mb(v.out)} MB${folded ? '; batch norm folded' : ''})\n`);
  return 0;
}
