/**
 * Installing ferkit into a project of one's own, as README says: `npm pack`
 * here, then `npm install` of the package file into an empty project, once
 * for recognition only and once with the training engine, each with the
 * `allowScripts` README gives. Then README's quick start runs there (its
 * `npx ferkit predict` command and its JavaScript example, both taken from
 * README.md) and must find a face and name an emotion.
 *
 * Checked on the way: the package ships the example picture and no tests;
 * onnxruntime-node's install script does not run; the install looks up no
 * host but the npm registry (and, with the training engine, tfjs-node's own
 * libtensorflow download); no installed dependency refuses a Node version
 * ferkit's `engines` promise.
 *
 * Slow (an install is 30-60 s): `npm run test:install` runs it, after a
 * build; plain `npm test` skips it. Needs the npm registry (or npm's cache:
 * installs run with --prefer-offline).
 */
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EMOTIONS } from '../src/core/labels.js';
import { PROJECT_ROOT, tempDir } from './fixtures.js';
import { minVersion, productionTree, refusing } from './node-engines.js';

const skip = process.env.FERKIT_INSTALL_TESTS ? false : 'set FERKIT_INSTALL_TESTS=1 (npm run test:install) to install the packed package into a new project';

/** The example picture the package ships, as README's quick start names it. */
const PICTURE = 'docs/images/astronaut.jpg';

/**
 * Preloaded into every Node process of an install (npm and the packages'
 * install scripts): writes each host name looked up to a log, one a line.
 */
const HOST_LOGGER = `'use strict';
const dns = require('node:dns');
const fs = require('node:fs');
const log = (host) => { try { fs.appendFileSync(process.env.FERKIT_TEST_HOSTS, host + '\\n'); } catch {} };
const lookup = dns.lookup;
dns.lookup = function (host, ...rest) { log(host); return lookup.call(this, host, ...rest); };
const promised = dns.promises.lookup;
dns.promises.lookup = function (host, ...rest) { log(host); return promised.call(this, host, ...rest); };
`;

let work: { dir: string; cleanup: () => void } | undefined;
let tarball = '';
let registryHost = '';

/** The environment of a user's shell: none of the settings `npm run` or ferkit's own tests pass down. */
function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(npm_|FERKIT_|ONNXRUNTIME_|NODE_OPTIONS$|INIT_CWD$)/i.test(key)) continue;
    env[key] = value;
  }
  return { ...env, ...extra };
}

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, timeout = 600_000): SpawnSyncReturns<string> {
  return spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout, maxBuffer: 64 << 20 });
}

function said(r: SpawnSyncReturns<string>): string {
  return `exit ${r.status}${r.signal ? ` (${r.signal})` : ''}${r.error ? ` ${r.error.message}` : ''}\n${r.stdout}\n${r.stderr}`.slice(-6000);
}

/** The fenced blocks of README.md in a language, in order. */
function readmeBlocks(language: string): string[] {
  const readme = readFileSync(join(PROJECT_ROOT, 'README.md'), 'utf8');
  return [...readme.matchAll(new RegExp('```' + language + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]);
}

before(() => {
  if (skip) return;
  work = tempDir('ferkit-install-');
  const env = userEnv();
  registryHost = new URL(run('npm', ['config', 'get', 'registry'], work.dir, env).stdout.trim()).host;
  // dist/ is built by the npm script; --ignore-scripts keeps `prepare` from building it again
  const packed = run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work.dir], PROJECT_ROOT, env);
  assert.equal(packed.status, 0, said(packed));
  const [info] = JSON.parse(packed.stdout) as { filename: string; size: number; files: { path: string }[] }[];
  tarball = join(work.dir, info.filename);
  const files = info.files.map((f) => f.path);
  assert.ok(files.includes(PICTURE), `the package ships ${PICTURE}`);
  for (const needed of ['bin/ferkit.js', 'dist/src/index.js', 'models/default/model.json', 'native/package.json']) assert.ok(files.includes(needed), needed);
  assert.deepEqual(
    files.filter((f) => /\.test\.|^dist\/test\/|^src\/|^runs\//.test(f)),
    [],
    'no tests, sources or training runs in the package',
  );
  assert.ok(info.size < 40e6, `the package is ${(info.size / 1e6).toFixed(1)} MB`);
  writeFileSync(join(work.dir, 'hosts.cjs'), HOST_LOGGER);
});

after(() => work?.cleanup());

interface Variant {
  name: string;
  /** What the project's package.json denies, as README says. */
  allowScripts: Record<string, boolean>;
  /** Hosts the install may look up besides the npm registry. */
  otherHosts: string[];
}

const VARIANTS: Variant[] = [
  { name: 'recognition only', allowScripts: { 'onnxruntime-node': false, '@tensorflow/tfjs-node': false }, otherHosts: [] },
  // tfjs-node's install script downloads libtensorflow (where that fails, npm drops the optional engine)
  { name: 'with the training engine', allowScripts: { 'onnxruntime-node': false }, otherHosts: ['storage.googleapis.com'] },
];

for (const variant of VARIANTS) {
  test(`install into a new project (${variant.name}) and run README's quick start there`, { skip, timeout: 1_800_000 }, () => {
    if (!work) throw new Error('before() did not run');
    const project = join(work.dir, variant.name.replace(/\W+/g, '-'));
    mkdirSync(project);
    writeFileSync(
      join(project, 'package.json'),
      JSON.stringify({ name: 'my-app', version: '1.0.0', private: true, allowScripts: variant.allowScripts }, null, 2),
    );
    const hosts = join(project, 'hosts.log');
    const env = userEnv({ NODE_OPTIONS: `--require ${join(work.dir, 'hosts.cjs')}`, FERKIT_TEST_HOSTS: hosts });

    const started = Date.now();
    const install = run(
      'npm',
      ['install', tarball, '--prefer-offline', '--foreground-scripts', '--loglevel', 'http', '--no-audit', '--no-fund'],
      project,
      env,
      1_500_000,
    );
    const log = `${install.stdout}\n${install.stderr}`;
    assert.equal(install.status, 0, said(install));
    console.log(`# ${variant.name}: npm install took ${((Date.now() - started) / 1000).toFixed(0)} s`);

    // onnxruntime-node's script (CUDA libraries from api.nuget.org) did not run; with --foreground-scripts npm names each script it runs
    assert.doesNotMatch(log, /> onnxruntime-node@\S+ (pre|post)?install/, 'onnxruntime-node ran its install script');
    if (variant.allowScripts['@tensorflow/tfjs-node'] === false) assert.doesNotMatch(log, /> @tensorflow\/tfjs-node@\S+ install/);
    // the hosts npm fetched from, and every host any process of the install looked up
    const fetched = [...log.matchAll(/npm http fetch \w+ \d+ (https?:\/\/[^\s/]+)/g)].map((m) => new URL(m[1]).host);
    const looked = existsSync(hosts) ? readFileSync(hosts, 'utf8').split('\n').filter(Boolean) : [];
    const allowed = new Set([registryHost, ...variant.otherHosts]);
    assert.deepEqual(
      [...new Set([...fetched, ...looked])].filter((h) => !allowed.has(h)),
      [],
      `hosts besides ${[...allowed].join(', ')}`,
    );

    // what was installed accepts every Node version ferkit promises
    const own = (JSON.parse(readFileSync(join(project, 'node_modules', 'ferkit', 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node;
    assert.deepEqual(refusing(productionTree(project), minVersion(own)), [], `ferkit's engines.node is ${own}`);

    const plain = userEnv();
    const emotion = `(${EMOTIONS.join('|')})`;
    // README's command, as written
    const command = readmeBlocks('sh')
      .flatMap((block) => block.split('\n'))
      .find((line) => line.startsWith('npx ferkit predict '));
    assert.ok(command, 'README shows `npx ferkit predict <picture>`');
    const [npx, ...args] = command.split(/\s+/);
    const cli = run(npx, args, project, plain);
    assert.equal(cli.status, 0, said(cli));
    assert.match(cli.stdout, new RegExp(`^\\S+\\s+1\\s+\\d+,\\d+,\\d+,\\d+\\s+${emotion}\\s+[01]\\.\\d\\d\\s`, 'm'), said(cli));

    // README's JavaScript example, as written
    const example = readmeBlocks('js').find((block) => block.includes('createRecognizer'));
    assert.ok(example, 'README shows the library in use');
    writeFileSync(join(project, 'example.mjs'), example);
    const js = run(process.execPath, ['example.mjs'], project, plain);
    assert.equal(js.status, 0, said(js));
    assert.match(js.stdout, new RegExp(`^${emotion} [01]\\.\\d\\d (true|false)$`, 'm'), said(js));
  });
}
