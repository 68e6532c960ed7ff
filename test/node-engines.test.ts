/**
 * ferkit's `engines.node` holds for its whole production dependency tree:
 * no installed dependency refuses a Node.js version ferkit promises to run
 * on (cookie@2, pulled in by the newest light-my-request, wants Node 22).
 * Also checks the small semver reader the check uses.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT, tempDir } from './fixtures.js';
import { admits, minVersion, productionTree, refusing } from './node-engines.js';

test('semver ranges: comparators, caret, tilde, x-ranges, hyphens and alternatives', () => {
  const cases: [string, string, boolean][] = [
    ['>=20', '20.0.0', true],
    ['>=20', '19.9.9', false],
    ['>=22', '20.19.0', false],
    ['>= 6', '20.0.0', true],
    ['>=18', 'v20.20.2', true],
    ['^18.17.0 || ^20.3.0 || >=21.0.0', '20.2.9', false],
    ['^18.17.0 || ^20.3.0 || >=21.0.0', '20.3.0', true],
    ['^18.17.0 || ^20.3.0 || >=21.0.0', '19.0.0', false],
    ['^0.2.3', '0.2.9', true],
    ['^0.2.3', '0.3.0', false],
    ['^0.0.3', '0.0.4', false],
    ['~1.2.3', '1.2.9', true],
    ['~1.2.3', '1.3.0', false],
    ['~> 1', '1.9.0', true],
    ['20.x', '20.99.1', true],
    ['20.x', '21.0.0', false],
    ['6.* || 8.* || >= 10.*', '9.1.0', false],
    ['6.* || 8.* || >= 10.*', '20.0.0', true],
    ['>1.2', '1.2.9', false],
    ['>1.2', '1.3.0', true],
    ['<=20.3', '20.3.7', true],
    ['<=20.3', '20.4.0', false],
    ['12 - 20.3', '20.3.5', true],
    ['12 - 20.3', '20.4.0', false],
    ['>=14 <21', '20.1.0', true],
    ['>=14 <21', '21.0.0', false],
    ['*', '0.1.0', true],
    ['', '20.0.0', true],
  ];
  for (const [range, version, expected] of cases) assert.equal(admits(range, version), expected, `${JSON.stringify(range)} admits ${version}`);
  assert.equal(minVersion('>=20'), '20.0.0');
  assert.equal(minVersion('^20.3.0 || >=21.0.0'), '20.3.0');
  assert.equal(minVersion('>20.1.0'), '20.1.1');
  assert.equal(minVersion('20.x'), '20.0.0');
  assert.throws(() => admits('>=20', 'twenty'), /not a version/);
});

test('the tree walk finds nested and hoisted packages and names the ones that refuse a Node version', () => {
  const { dir, cleanup } = tempDir();
  try {
    const write = (folder: string, manifest: object) => {
      mkdirSync(folder, { recursive: true });
      writeFileSync(join(folder, 'package.json'), JSON.stringify(manifest));
    };
    write(dir, { name: 'app', dependencies: { server: '^1' }, devDependencies: { tool: '^1' } });
    write(join(dir, 'node_modules', 'server'), { name: 'server', version: '1.0.0', engines: { node: '>=20' }, dependencies: { inject: '^6' } });
    // hoisted beside server, with its own newer cookie nested inside it
    write(join(dir, 'node_modules', 'inject'), { name: 'inject', version: '6.8.1', dependencies: { cookie: '^2' }, optionalDependencies: { absent: '1' } });
    write(join(dir, 'node_modules', 'inject', 'node_modules', 'cookie'), { name: 'cookie', version: '2.0.2', engines: { node: '>=22' } });
    write(join(dir, 'node_modules', 'cookie'), { name: 'cookie', version: '1.1.1', engines: { node: '>=18' } });
    write(join(dir, 'node_modules', 'tool'), { name: 'tool', version: '1.0.0', engines: { node: '>=99' } });
    const tree = productionTree(dir);
    assert.deepEqual(tree.map((p) => `${p.name}@${p.version}`).sort(), ['cookie@2.0.2', 'inject@6.8.1', 'server@1.0.0']);
    assert.deepEqual(refusing(tree, '20.19.0'), ['cookie@2.0.2 (engines.node ">=22")']);
    assert.deepEqual(refusing(tree, '22.0.0'), []);
  } finally {
    cleanup();
  }
});

const installed = existsSync(join(PROJECT_ROOT, 'node_modules'));

test('no installed production dependency refuses a Node version ferkit promises', { skip: installed ? false : 'node_modules is absent (run npm ci)' }, () => {
  const own = (JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node;
  const tree = productionTree(PROJECT_ROOT);
  assert.ok(tree.length > 50, `the walk found ${tree.length} packages`);
  // the oldest Node ferkit promises, and the one running this test if ferkit promises it too
  const versions = [minVersion(own), ...(admits(own, process.versions.node) ? [process.versions.node] : [])];
  for (const version of versions) {
    assert.deepEqual(refusing(tree, version), [], `ferkit's engines.node is ${JSON.stringify(own)}; these refuse Node ${version}`);
  }
});
