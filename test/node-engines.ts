/**
 * The Node.js versions the packages of an installed dependency tree accept
 * (their `engines.node`), so a test can check that no dependency refuses a
 * Node version ferkit's own `engines` promises. A small reader of npm's
 * semver ranges: comparators (`>=`, `>`, `<=`, `<`, `=`), caret and tilde
 * ranges, x-ranges (`20.x`, `*`), hyphen ranges and `||`; prerelease tags
 * are ignored (Node releases have none).
 */
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';

type Version = readonly [number, number, number];

/** A comparator: a version and how another compares to it. */
interface Comparator {
  op: '>=' | '>' | '<=' | '<' | '=';
  version: Version;
}

function compare(a: Version, b: Version): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

/** `v20.3.1` or `20.3.1` as numbers; throws on anything else. */
export function parseVersion(text: string): Version {
  const m = /^v?(\d+)\.(\d+)\.(\d+)/.exec(text.trim());
  if (!m) throw new Error(`not a version: ${JSON.stringify(text)}`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

/** A partial version (`20`, `20.3`, `20.x`, `*`): the parts given, undefined where a wildcard or missing. */
function parsePartial(text: string): (number | undefined)[] {
  const parts = text
    .replace(/^v/, '')
    .replace(/[-+].*$/, '')
    .split('.');
  const out: (number | undefined)[] = [];
  for (const part of parts.slice(0, 3)) {
    if (part === '' || part === 'x' || part === 'X' || part === '*') break;
    if (!/^\d+$/.test(part)) throw new Error(`not a version: ${JSON.stringify(text)}`);
    out.push(Number(part));
  }
  return out;
}

/** The comparators one space-separated term stands for. */
function termComparators(op: string, partial: (number | undefined)[]): Comparator[] {
  const [major, minor, patch] = partial;
  const full: Version = [major ?? 0, minor ?? 0, patch ?? 0];
  if (major === undefined) return op === '<' || op === '>' ? [{ op: '<', version: [0, 0, 0] }] : [];
  // the first version above the wildcard: 20.x -> 21.0.0, 20.3.x -> 20.4.0
  const next: Version = minor === undefined ? [major + 1, 0, 0] : patch === undefined ? [major, minor + 1, 0] : [major, minor, patch];
  const partialGiven = minor === undefined || patch === undefined;
  switch (op) {
    case '^': {
      const upper: Version =
        major > 0 || minor === undefined ? [major + 1, 0, 0] : minor > 0 || patch === undefined ? [0, minor + 1, 0] : [0, 0, (patch ?? 0) + 1];
      return [
        { op: '>=', version: full },
        { op: '<', version: upper },
      ];
    }
    case '~':
      return [
        { op: '>=', version: full },
        { op: '<', version: minor === undefined ? [major + 1, 0, 0] : [major, minor + 1, 0] },
      ];
    case '>':
      return [partialGiven ? { op: '>=', version: next } : { op: '>', version: full }];
    case '>=':
      return [{ op: '>=', version: full }];
    case '<':
      return [{ op: '<', version: full }];
    case '<=':
      return [partialGiven ? { op: '<', version: next } : { op: '<=', version: full }];
    default:
      return partialGiven
        ? [
            { op: '>=', version: full },
            { op: '<', version: next },
          ]
        : [{ op: '=', version: full }];
  }
}

/** The alternatives of a range (joined by `||`), each a list of comparators that must all hold. */
export function parseRange(range: string): Comparator[][] {
  return range.split('||').map((alternative) => {
    const text = alternative.trim().replace(/(>=|<=|>|<|=|\^|~)\s+/g, '$1');
    const hyphen = /^(\S+)\s+-\s+(\S+)$/.exec(text);
    if (hyphen) return [...termComparators('>=', parsePartial(hyphen[1])), ...termComparators('<=', parsePartial(hyphen[2]))];
    const out: Comparator[] = [];
    for (const term of text.split(/\s+/).filter(Boolean)) {
      const m = /^(>=|<=|>|<|=|\^|~>?)?(.*)$/.exec(term);
      if (!m) throw new Error(`not a range: ${JSON.stringify(range)}`);
      out.push(...termComparators((m[1] ?? '=').replace('~>', '~'), parsePartial(m[2])));
    }
    return out;
  });
}

function holds(c: Comparator, v: Version): boolean {
  const d = compare(v, c.version);
  return c.op === '>=' ? d >= 0 : c.op === '>' ? d > 0 : c.op === '<=' ? d <= 0 : c.op === '<' ? d < 0 : d === 0;
}

/** Whether `version` satisfies the semver `range` (an empty range or `*` admits everything). */
export function admits(range: string, version: string): boolean {
  const v = parseVersion(version);
  return parseRange(range).some((all) => all.every((c) => holds(c, v)));
}

/** The lowest version a range admits (`>=20` -> 20.0.0, `^20.3.0 || >=21` -> 20.3.0). */
export function minVersion(range: string): string {
  let best: Version | undefined;
  for (const all of parseRange(range)) {
    let low: Version = [0, 0, 0];
    for (const c of all) {
      if (c.op === '>=' || c.op === '=') low = compare(c.version, low) > 0 ? c.version : low;
      if (c.op === '>') {
        const after: Version = [c.version[0], c.version[1], c.version[2] + 1];
        low = compare(after, low) > 0 ? after : low;
      }
    }
    if (!all.every((c) => holds(c, low))) continue; // an empty alternative
    if (!best || compare(low, best) < 0) best = low;
  }
  if (!best) throw new Error(`the range ${JSON.stringify(range)} admits no version`);
  return best.join('.');
}

/** One installed package of a dependency tree. */
export interface InstalledPackage {
  name: string;
  version: string;
  /** Its folder (symbolic links resolved). */
  dir: string;
  /** Its `engines.node`, if it declares one. */
  node?: string;
}

interface Manifest {
  name?: string;
  version?: string;
  engines?: { node?: unknown };
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

function readManifest(dir: string): Manifest {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;
}

/** Where Node would find package `name` from folder `from`: the nearest node_modules/name up the tree. */
function locate(from: string, name: string): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return realpathSync(candidate);
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * Every package the production dependencies of the project (or package) in
 * `root` reach, as installed: dependencies and optional dependencies,
 * resolved the way Node resolves them. Development dependencies are not
 * followed, nor peer dependencies (in a clone npm satisfies them with the
 * project's own development tools, which a user's install never gets);
 * optional ones that are not installed are skipped.
 */
export function productionTree(root: string): InstalledPackage[] {
  const found = new Map<string, InstalledPackage>();
  const pending = [realpathSync(root)];
  while (pending.length > 0) {
    const dir = pending.pop() as string;
    const manifest = readManifest(dir);
    const names = new Set([...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.optionalDependencies ?? {})]);
    for (const name of names) {
      const at = locate(dir, name);
      if (at === undefined || found.has(at)) continue;
      const dep = readManifest(at);
      const node = dep.engines?.node;
      found.set(at, { name: dep.name ?? name, version: dep.version ?? '?', dir: at, ...(typeof node === 'string' && node.trim() ? { node } : {}) });
      pending.push(at);
    }
  }
  return [...found.values()];
}

/** The packages of `tree` whose `engines.node` refuses `nodeVersion`, as `name@version (engines.node)`. */
export function refusing(tree: readonly InstalledPackage[], nodeVersion: string): string[] {
  return tree
    .filter((p) => p.node !== undefined && !admits(p.node, nodeVersion))
    .map((p) => `${p.name}@${p.version} (engines.node ${JSON.stringify(p.node)})`)
    .sort();
}
