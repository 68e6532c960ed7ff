import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, extname, join, relative, sep } from 'node:path';
import { IMAGE_EXTENSIONS } from '../data/folder.js';
import { formatList, PICTURE_FORMATS } from '../core/image/limits.js';

/** A glob pattern (`*`, `?`, `**`) as a regular expression over /-separated paths. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') {
      if (glob[i + 1] === '*') {
        re += glob[i + 2] === '/' ? '(?:.*/)?' : '.*';
        i += glob[i + 2] === '/' ? 2 : 1;
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

function walk(dir: string, out: string[]): void {
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (e.isFile()) out.push(p);
  }
}

const isImage = (p: string) => IMAGE_EXTENSIONS.includes(extname(p).toLowerCase());

/** The picture formats ferkit reads, as help texts name them: "JPEG, PNG, WebP, TIFF, GIF or AVIF". */
export const IMAGE_FORMAT_NAMES = formatList(PICTURE_FORMATS, 'or');

/**
 * Expands command-line arguments into image files: a file stays as it is
 * (whatever its extension: it is reported if it cannot be read), a directory
 * gives its images recursively, a glob the matching files. Arguments that
 * match nothing are returned in `missing`.
 */
export function expandInputs(args: readonly string[]): { files: string[]; missing: string[] } {
  const files: string[] = [];
  const missing: string[] = [];
  for (const arg of args) {
    if (existsSync(arg)) {
      if (statSync(arg).isDirectory()) {
        const all: string[] = [];
        walk(arg, all);
        files.push(...all.filter(isImage));
      } else files.push(arg);
      continue;
    }
    if (!/[*?]/.test(arg)) {
      missing.push(arg);
      continue;
    }
    const parts = arg.split(/[\\/]/);
    const firstWild = parts.findIndex((p) => /[*?]/.test(p));
    const base = parts.slice(0, firstWild).join('/') || '.';
    if (!existsSync(base) || !statSync(base).isDirectory()) {
      missing.push(arg);
      continue;
    }
    const re = globToRegExp(parts.slice(firstWild).join('/'));
    const all: string[] = [];
    walk(base, all);
    const matched = all.filter((p) => re.test(relative(base, p).split(sep).join('/')));
    if (matched.length === 0) missing.push(arg);
    files.push(...matched);
  }
  return { files: [...new Set(files)], missing };
}

/** Extensions an annotated picture keeps; other pictures are written as PNG. */
const ANNOTATED_EXTENSIONS = ['.png', '.jpg', '.jpeg', '.webp'];

/**
 * The file names of the inputs' annotated pictures, in input order: each
 * input's own name (as PNG where its format is not one ferkit writes), or,
 * when an earlier input has that name, the name after the input's number
 * (from 1) and a dash. Pure.
 */
export function annotatedNames(files: readonly string[]): string[] {
  const taken = new Set<string>();
  return files.map((file, i) => {
    const ext = extname(file);
    const own = basename(file, ext) + (ANNOTATED_EXTENSIONS.includes(ext.toLowerCase()) ? ext : '.png');
    const name = taken.has(own) ? `${i + 1}-${own}` : own;
    taken.add(name);
    return name;
  });
}
