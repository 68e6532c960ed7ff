import { statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { FerkitError } from '../core/errors.js';
import { initEngine } from '../node/engine.js';
import { readMetadata, resolveModelDir } from '../store/folder.js';
import { type WeightsDtype } from '../core/models/metadata.js';
import { exportModel, exportOnnx } from '../store/export.js';
import { ONNX_INPUT, ONNX_OPSET, ONNX_PROBABILITIES, ONNX_UNCALIBRATED } from '../core/models/onnx/model.js';
import { parseFlags, backendFlag } from './args.js';
import { booleanFlags, pickFlags, RECOGNIZER_FLAGS, stringFlags } from './option-groups.js';

export const EXPORT_HELP = `ferkit export --model DIR --out DIR [--float16] [--keep-batchnorm]
ferkit export --model DIR --format onnx --out FILE

Writes an inference copy of a model folder for shipping: model.json +
weights.bin (TensorFlow.js layers format) + ferkit.json (labels,
preprocessing, calibration, training config and metrics are kept), and the
training log. Batch normalisations that follow a convolution or dense layer
are folded into its kernel and bias (same outputs, fewer operations: faster,
above all at batch 1); the copy is for prediction, not for more training.

With --format onnx, writes the model (any architecture, or an ensemble) as
one ONNX file (opset 17) for ONNX Runtime and other ONNX tools. It takes
"faces" [batch, 48, 48, 1] float32 (grey pixels / 255, as ferkit feeds its
models) and gives "probabilities" [batch, 7], calibrated with the model's
temperature as ferkit reports them, and "uncalibrated", the network's own
softmax. Labels, preprocessing and calibration are in its metadata
(docs/export.md).

  --model DIR   model folder or bundled model to export (required)
  --format F    tfjs (default): a model folder; onnx: one .onnx file
  --out DIR|FILE  new folder (tfjs; not the model's own folder), or the
                .onnx file to write (onnx)
  --float16     store the weights as float16: half the size; tfjs decodes
                them to float32 on load. Check the copy with \`ferkit eval\`.
  --keep-batchnorm  do not fold batch normalisation (tfjs)
  --backend NAME

examples:
  ferkit export --model runs/vgg --out shipped/vgg --float16
  ferkit export --model default --format onnx --out ferkit-default.onnx`;

export async function exportCommand(argv: string[], out: (s: string) => void): Promise<number> {
  const { values: v } = parseFlags(argv, {
    ...pickFlags(RECOGNIZER_FLAGS, 'model', 'backend'),
    ...stringFlags('out', 'format'),
    ...booleanFlags('float16', 'keep-batchnorm'),
  });
  const format = v.format ?? 'tfjs';
  if (format !== 'tfjs' && format !== 'onnx') throw new FerkitError('BAD_ARGUMENT', `--format must be tfjs or onnx, got "${format}"`);
  if (!v.model || !v.out)
    throw new FerkitError('BAD_ARGUMENT', format === 'onnx' ? 'export needs --model DIR and --out FILE' : 'export needs --model DIR and --out DIR');
  const dir = resolveModelDir(v.model);
  if (format === 'onnx') {
    if (v.float16 || v['keep-batchnorm']) throw new FerkitError('BAD_ARGUMENT', '--float16 and --keep-batchnorm apply to --format tfjs only');
    await initEngine(backendFlag(v.backend));
    const { bytes } = await exportOnnx(dir, v.out);
    out(
      `exported ${dir} -> ${v.out} (ONNX, opset ${ONNX_OPSET}, ${(bytes / 2 ** 20).toFixed(2)} MB; input "${ONNX_INPUT}" [batch,48,48,1], outputs "${ONNX_PROBABILITIES}", "${ONNX_UNCALIBRATED}")\n`,
    );
    return 0;
  }
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
