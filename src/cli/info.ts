import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initEngine, nativeVersion } from '../engine/index.js';
import { listArchitectures } from '../models/architectures.js';
import { defaultModelDir } from '../models/io.js';
import { parseFlags } from './args.js';
import { FerkitError } from '../errors.js';

export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

export const INFO_HELP = `ferkit info [--json] [--backend NAME]

Prints ferkit's version, the TensorFlow.js backend in use and why, the
default model and the architectures in the registry.`;

export async function infoCommand(argv: string[], out: (s: string) => void): Promise<number> {
  const { values: v } = parseFlags(argv, { json: { type: 'boolean' }, backend: { type: 'string' } });
  const engine = await initEngine((v.backend ?? process.env.FERKIT_BACKEND ?? 'auto') as 'auto');
  let model: string;
  try {
    model = defaultModelDir();
  } catch (err) {
    model = err instanceof FerkitError ? `none (${err.message})` : String(err);
  }
  let modelInfo: Record<string, unknown> = {};
  try {
    modelInfo = JSON.parse(readFileSync(join(model, 'ferkit.json'), 'utf8'));
  } catch { /* no metadata */ }
  const info = {
    version: packageVersion(),
    node: process.version,
    backend: engine.backend,
    native: engine.native,
    reason: engine.reason,
    ...(engine.warning ? { warning: engine.warning } : {}),
    ...(engine.native ? { tfjsNode: nativeVersion() } : {}),
    defaultModel: model,
    defaultModelArchitecture: modelInfo['architecture'],
    defaultModelMetrics: modelInfo['metrics'],
    architectures: listArchitectures().map((a) => ({ name: a.name, description: a.description })),
  };
  if (v.json) {
    out(JSON.stringify(info, null, 2) + '\n');
    return 0;
  }
  const lines = [
    `ferkit ${info.version} (Node ${info.node})`,
    `backend: ${info.backend} — ${info.reason}`,
    ...(engine.warning ? [`warning: ${engine.warning}`] : []),
    `default model: ${model}${info.defaultModelArchitecture ? ` (${String(info.defaultModelArchitecture)})` : ''}`,
    'architectures:',
    ...info.architectures.map((a) => `  ${a.name.padEnd(8)} ${a.description}`),
  ];
  out(lines.join('\n') + '\n');
  return 0;
}
