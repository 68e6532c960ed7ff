/**
 * The public API, entry by entry, as docs/api.md lists it: every name each
 * of the package's entries (package.json `exports`) gives, with its kind.
 * `npm run docs:api` writes the file; test/api.test.ts fails when the
 * entries and the file disagree, so that any change to the public surface
 * shows in review.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { PROJECT_ROOT } from './fixtures.js';

/** The package's entries: subpath and source file. */
export function packageEntries(): { subpath: string; source: string }[] {
  const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { exports: Record<string, { import: string }> };
  return Object.entries(pkg.exports).map(([key, target]) => ({
    subpath: key === '.' ? 'ferkit' : `ferkit/${key.slice(2)}`,
    source: target.import.replace(/^\.\/dist\//, '').replace(/\.js$/, '.ts'),
  }));
}

function kindOf(symbol: ts.Symbol): string {
  const f = symbol.flags;
  if (f & ts.SymbolFlags.Class) return 'class';
  if (f & ts.SymbolFlags.Function) return 'function';
  if (f & ts.SymbolFlags.Enum) return 'enum';
  if (f & ts.SymbolFlags.Variable) return 'const';
  if (f & ts.SymbolFlags.Interface) return 'interface';
  if (f & ts.SymbolFlags.TypeAlias) return 'type';
  return 'other';
}

/** docs/api.md's text, made from the entries' source. */
export function apiReport(): string {
  const entries = packageEntries();
  const program = ts.createProgram(
    entries.map((e) => join(PROJECT_ROOT, e.source)),
    {
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
      strict: true,
      skipLibCheck: true,
      noEmit: true,
      types: ['node'],
      lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
    },
  );
  const checker = program.getTypeChecker();
  const lines = [
    '# API',
    '',
    "Every name ferkit's entries export, with its kind. This file is written by `npm run docs:api`;",
    '`npm test` fails when it and the entries disagree. See [library.md](library.md) for how to use them.',
  ];
  for (const { subpath, source } of entries) {
    const file = program.getSourceFile(join(PROJECT_ROOT, source));
    const moduleSymbol = file && checker.getSymbolAtLocation(file);
    if (!moduleSymbol) throw new Error(`${source}: not found`);
    const names = checker
      .getExportsOfModule(moduleSymbol)
      .map((s) => {
        const target = s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s;
        return `| \`${s.name}\` | ${kindOf(target)} |`;
      })
      .sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase()));
    lines.push('', `## \`${subpath}\``, '', `${names.length} names.`, '', '| name | kind |', '|---|---|', ...names);
  }
  return lines.join('\n') + '\n';
}

/** Writes docs/api.md (`npm run docs:api`). */
if (process.argv.includes('--write')) {
  writeFileSync(join(PROJECT_ROOT, 'docs', 'api.md'), apiReport());
  console.log('wrote docs/api.md');
}
