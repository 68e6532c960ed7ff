/**
 * The layering of src/ (docs/architecture.md): the platform-neutral core
 * imports nothing Node-only, every import points down, and no modules
 * import each other in a cycle.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { PROJECT_ROOT } from './fixtures.js';
import { packageEntries } from './api-report.js';

/**
 * Layers from the bottom up: a module may import modules of a lower layer
 * and of its own folder (or, for top-level files, itself only). Folders in
 * the same layer do not import each other.
 */
const LAYERS: readonly (readonly string[])[] = [
  [
    'core/errors.ts',
    'core/files.ts',
    'core/ort.ts',
    'core/labels.ts',
    'core/random.ts',
    'core/engine.ts',
    'core/numeric.ts',
    'core/markup.ts',
    'core/concurrency.ts',
  ],
  ['core/image'],
  ['core/onnx'],
  ['core/face', 'core/models'],
  ['core/recognizer.ts', 'core/platform.ts'],
  ['core/create-recognizer.ts'],
  ['core/results.ts', 'core/track', 'core/recognize-files.ts'],
  ['core/results-format.ts'],
  ['fs'],
  ['store'],
  ['data'],
  ['eval'],
  ['train'],
  ['draw'],
  ['video'],
  ['node', 'browser'],
  ['queue'],
  ['serve'],
  ['cli', 'index.ts', 'entries'],
];

/** The platform-neutral core, src/core/ (also built alone by tsconfig.core.json), and the browser adapter: they run in browsers as in Node. */
const CORE_FOLDERS = ['core', 'browser'];
const isCore = (unit: string) => CORE_FOLDERS.includes(unit.split('/')[0]);
/** Packages that exist only in Node. */
const NODE_ONLY = /^(node:|sharp$|@tensorflow\/tfjs-node|fs$|path$|os$|child_process$|worker_threads$)/;

const SRC = join(PROJECT_ROOT, 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') && !e.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Module specifiers of static imports, re-exports and literal dynamic imports. */
export function importsOf(source: string): string[] {
  const out: string[] = [];
  const pattern = /(?:^|\n)\s*(?:import|export)\s[^'";]*?from\s*['"]([^'"]+)['"]|(?:^|\n)\s*import\s*['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;
  for (const m of source.matchAll(pattern)) out.push(m[1] ?? m[2] ?? m[3]);
  return out;
}

/** A module's unit: its folder under src/ (under src/core/ for the core), or its file name for top-level files. */
function unitOf(file: string): string {
  const rel = relative(SRC, file).split(/[\\/]/);
  return rel[0] === 'core' ? `core/${rel[1]}` : rel[0];
}

function layerOf(unit: string): number {
  const i = LAYERS.findIndex((l) => l.includes(unit));
  assert.ok(i >= 0, `src/${unit} is in no layer; add it to LAYERS here and to docs/architecture.md`);
  return i;
}

const files = sourceFiles(SRC);
const graph = new Map<string, string[]>();
for (const file of files) {
  const specs = importsOf(readFileSync(file, 'utf8'));
  graph.set(
    file,
    specs.filter((s) => s.startsWith('.')).map((s) => normalize(join(dirname(file), s.replace(/\.js$/, '.ts')))),
  );
}

test('the import scanner sees static, re-exported and dynamic imports', () => {
  const src = `import a from './a.js';\nimport { b,\n  c } from "../b.js";\nexport { d } from './d.js';\nimport type { E } from './e.js';\nimport 'side';\nconst f = await import('./f.js');`;
  assert.deepEqual(importsOf(src), ['./a.js', '../b.js', './d.js', './e.js', 'side', './f.js']);
});

test('the core imports no Node-only module, directly or through another module', () => {
  const core = files.filter((f) => isCore(unitOf(f)));
  assert.ok(core.length > 10, `found ${core.length} core modules under ${SRC}`);
  const bad: string[] = [];
  for (const file of core) {
    for (const spec of importsOf(readFileSync(file, 'utf8'))) {
      if (NODE_ONLY.test(spec)) bad.push(`src/${relative(SRC, file)} imports ${spec}`);
    }
    for (const target of graph.get(file) ?? []) {
      if (!isCore(unitOf(target))) bad.push(`src/${relative(SRC, file)} imports src/${relative(SRC, target)}, which is not core`);
    }
  }
  assert.deepEqual(bad, [], 'the core must run in a browser: move Node-only work to src/node/');
});

test('every import points down a layer, or stays in its folder', () => {
  const bad: string[] = [];
  for (const [file, targets] of graph) {
    const from = unitOf(file);
    for (const target of targets) {
      const to = unitOf(target);
      if (to === from && from.endsWith('.ts') === false) continue;
      if (layerOf(to) >= layerOf(from)) bad.push(`src/${relative(SRC, file)} -> src/${relative(SRC, target)}`);
    }
  }
  assert.deepEqual(bad, []);
});

test('no modules import each other in a cycle', () => {
  const state = new Map<string, 'visiting' | 'done'>();
  const cycles: string[] = [];
  const visit = (file: string, path: string[]) => {
    if (state.get(file) === 'done') return;
    if (state.get(file) === 'visiting') {
      cycles.push([...path.slice(path.indexOf(file)), file].map((f) => relative(SRC, f)).join(' -> '));
      return;
    }
    state.set(file, 'visiting');
    for (const t of graph.get(file) ?? []) visit(t, [...path, file]);
    state.set(file, 'done');
  };
  for (const file of graph.keys()) visit(file, []);
  assert.deepEqual(cycles, []);
});

test('benchmarks and tests use the library, not the CLI', () => {
  const bench = readdirSync(join(PROJECT_ROOT, 'bench'))
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join(PROJECT_ROOT, 'bench', f));
  const tests = [
    ...sourceFiles(SRC).map((f) => f),
    ...readdirSync(SRC, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.test.ts') && !f.startsWith('cli'))
      .map((f) => join(SRC, f)),
  ];
  const bad = [...bench, ...tests.filter((f) => f.endsWith('.test.ts'))].filter((f) => importsOf(readFileSync(f, 'utf8')).some((s) => /(^|\/)cli\//.test(s)));
  assert.deepEqual(
    bad.map((f) => relative(PROJECT_ROOT, f)),
    [],
  );
});

/** The package's entry files (package.json `exports`), as paths under src/. */
const ENTRY_FILES = packageEntries().map((e) => normalize(join(PROJECT_ROOT, e.source)));
/** Front ends: they may use a platform directly. */
const FRONT_ENDS = ['cli', 'serve', 'queue'];

test("only the package's entries and the front ends import a platform (src/node/, src/browser/)", () => {
  const bad: string[] = [];
  for (const [file, targets] of graph) {
    const unit = unitOf(file);
    if (ENTRY_FILES.includes(file) || FRONT_ENDS.includes(unit) || unit === 'node' || unit === 'browser') continue;
    for (const target of targets) if (['node', 'browser'].includes(unitOf(target))) bad.push(`src/${relative(SRC, file)} -> src/${relative(SRC, target)}`);
  }
  assert.deepEqual(bad, [], 'take what the platform gives as a parameter (a Platform, a StartClassifier, a decoder) and bind it in an entry');
});

test('benchmarks and the web page use ferkit through its public entries only', () => {
  const dirs = [join(PROJECT_ROOT, 'bench'), join(PROJECT_ROOT, 'web', 'src')];
  const bad: string[] = [];
  for (const dir of dirs) {
    for (const name of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
      const file = join(dir, name);
      for (const spec of importsOf(readFileSync(file, 'utf8'))) {
        if (!spec.startsWith('.')) continue;
        const target = normalize(join(dirname(file), spec.replace(/\.js$/, '.ts')));
        if (target.startsWith(SRC) && !ENTRY_FILES.includes(target)) bad.push(`${relative(PROJECT_ROOT, file)} imports ${relative(PROJECT_ROOT, target)}`);
      }
    }
  }
  assert.deepEqual(bad, [], "import from src/index.ts, src/entries/*.ts or a folder's index.ts that package.json exports");
});

/** Specifiers of static imports and re-exports only (what loads with the module), type-only imports left out. */
function staticImportsOf(source: string): string[] {
  const out: string[] = [];
  const pattern = /(?:^|\n)\s*(import|export)\s+(type\s)?[^'";]*?from\s*['"]([^'"]+)['"]|(?:^|\n)\s*import\s*['"]([^'"]+)['"]/g;
  for (const m of source.matchAll(pattern)) if (!m[2]) out.push(m[3] ?? m[4]);
  return out;
}

test('recognition loads no TensorFlow.js: the root entry, predict, video, the service and the workers reach it by no static import', () => {
  const starts = ['index.ts', 'cli/predict.ts', 'cli/video.ts', 'cli/serve.ts', 'queue/worker.ts'].map((f) => join(SRC, f));
  const seen = new Set<string>();
  const bad: string[] = [];
  const visit = (file: string, path: string[]) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const spec of staticImportsOf(readFileSync(file, 'utf8'))) {
      if (spec.startsWith('@tensorflow/')) bad.push([...path, file].map((f) => relative(SRC, f)).join(' -> ') + ` imports ${spec}`);
      else if (spec.startsWith('.')) visit(normalize(join(dirname(file), spec.replace(/\.js$/, '.ts'))), [...path, file]);
    }
  };
  for (const start of starts) visit(start, []);
  assert.ok(seen.size > 30, `followed ${seen.size} modules`);
  assert.deepEqual(bad, [], 'import TensorFlow.js lazily (await import) where a model needs it');
});
