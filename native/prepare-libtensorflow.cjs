#!/usr/bin/env node
/*
 * Makes @tensorflow/tfjs-node installable where its libtensorflow download is
 * blocked (firewalls, offline mirrors): takes libtensorflow from the official
 * TensorFlow CPU wheel (served by pip) and lays it out in the package's deps/
 * folder, where tfjs-node's own install script then finds it and builds its
 * binding from source against it.
 *
 * npm runs every package's preinstall script before any package's install
 * script, so this runs (as the preinstall of ferkit's local `native/` package)
 * before @tensorflow/tfjs-node's install. It never fails the install: when it
 * cannot help it says why and leaves tfjs-node to its own download; if that
 * fails too, npm drops the optional dependency and ferkit falls back to the
 * WebAssembly backend with a warning.
 *
 * Environment:
 *   FERKIT_ENGINE=wasm          skip the native engine altogether
 *   FERKIT_TF_WHEEL=/path.whl   use this wheel instead of asking pip
 *   FERKIT_TF_VERSION=2.21.0    tensorflow-cpu version to ask pip for
 *   FERKIT_TF_WHEEL_SHA256=hex  the SHA-256 a wheel other than the pinned one must have
 *
 * Every wheel is checked against a pinned SHA-256 before anything is
 * unpacked from it (PINNED_WHEELS, or FERKIT_TF_WHEEL_SHA256); a wheel
 * without a known digest, or with another one, is refused.
 *   FERKIT_FORCE_WHEEL=1        use the wheel even if the normal download works
 *   FERKIT_CACHE_DIR            where the wheel is cached (default ~/.cache/ferkit)
 */
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const https = require('node:https');
const crypto = require('node:crypto');
const { execFileSync } = require('node:child_process');

const TF_VERSION = process.env.FERKIT_TF_VERSION || '2.21.0';
const LIB_VERSION = '2.9.1'; // the libtensorflow version tfjs-node 4.x expects

/**
 * The wheels whose contents may be unpacked, by file name, with their
 * SHA-256. pip is asked for exactly this file (CPython 3.11 tags whatever the
 * local Python: only libtensorflow is taken from it, which does not depend
 * on the Python version).
 */
const PINNED_WHEELS = {
  'tensorflow_cpu-2.21.0-cp311-cp311-manylinux_2_27_x86_64.whl': '2b847d217b02ee7731ed91431daf3250daa0196c3c94614d23be27232e6e5b6c',
};
const PINNED_TAGS = { '2.21.0': ['--python-version', '3.11', '--implementation', 'cp', '--abi', 'cp311', '--platform', 'manylinux_2_27_x86_64'] };

/** SHA-256 of a file, read in 1 MiB pieces. */
function sha256(file) {
  const hash = crypto.createHash('sha256');
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.alloc(1 << 20);
    for (let n; (n = fs.readSync(fd, buf, 0, buf.length, null)) > 0; ) hash.update(buf.subarray(0, n));
  } finally {
    fs.closeSync(fd);
  }
  return hash.digest('hex');
}

/** Refuses a wheel whose SHA-256 is unknown or not the pinned one; `cached` wheels that fail are deleted. */
function checkWheel(wheel, cached) {
  const expected = (process.env.FERKIT_TF_WHEEL_SHA256 || PINNED_WHEELS[path.basename(wheel)] || '').toLowerCase();
  if (!expected) {
    throw new Error(`no pinned SHA-256 for ${path.basename(wheel)}; set FERKIT_TF_WHEEL_SHA256 to the digest pypi.org lists for it`);
  }
  const actual = sha256(wheel);
  if (actual !== expected) {
    if (cached) fs.rmSync(wheel, { force: true });
    throw new Error(`${path.basename(wheel)} has SHA-256 ${actual}, not the pinned ${expected}; it was not unpacked${cached ? ' (removed from the cache)' : ''}`);
  }
  log(`${path.basename(wheel)}: SHA-256 matches the pinned digest`);
}

function log(msg) {
  process.stderr.write(`[ferkit native engine] ${msg}\n`);
}

function findTfjsNode() {
  const roots = [process.env.INIT_CWD, process.cwd(), path.resolve(__dirname, '..')].filter(Boolean);
  for (const root of roots) {
    const dir = path.join(root, 'node_modules', '@tensorflow', 'tfjs-node');
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
  }
  return undefined;
}

function canReach(url, timeoutMs) {
  return new Promise((resolve) => {
    const req = https.request(url, { method: 'HEAD', timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode !== undefined && res.statusCode < 400);
    });
    req.on('timeout', () => { req.destroy(); resolve(false); });
    req.on('error', () => resolve(false));
    req.end();
  });
}

function findPython() {
  for (const py of ['python3', 'python']) {
    try {
      execFileSync(py, ['-m', 'pip', '--version'], { stdio: 'ignore' });
      return py;
    } catch { /* try the next one */ }
  }
  return undefined;
}

function obtainWheel(py) {
  if (process.env.FERKIT_TF_WHEEL) {
    if (!fs.existsSync(process.env.FERKIT_TF_WHEEL)) throw new Error(`FERKIT_TF_WHEEL=${process.env.FERKIT_TF_WHEEL} does not exist`);
    checkWheel(process.env.FERKIT_TF_WHEEL, false);
    return process.env.FERKIT_TF_WHEEL;
  }
  const cache = process.env.FERKIT_CACHE_DIR || path.join(os.homedir(), '.cache', 'ferkit');
  fs.mkdirSync(cache, { recursive: true });
  const pinned = Object.keys(PINNED_WHEELS).find((f) => f.startsWith(`tensorflow_cpu-${TF_VERSION}-`));
  const pick = () => fs.readdirSync(cache).find((f) => (pinned ? f === pinned : f.startsWith(`tensorflow_cpu-${TF_VERSION}-`) && f.endsWith('.whl')));
  let wheel = pick();
  if (!wheel) {
    log(`downloading tensorflow-cpu==${TF_VERSION} with pip (about 270 MB, cached in ${cache})`);
    execFileSync(py, ['-m', 'pip', 'download', `tensorflow-cpu==${TF_VERSION}`, '--no-deps', '--only-binary=:all:', ...(PINNED_TAGS[TF_VERSION] || []), '-d', cache, '--quiet'], {
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    wheel = pick();
  }
  if (!wheel) throw new Error(`pip did not leave a tensorflow-cpu ${TF_VERSION} wheel in ${cache}`);
  checkWheel(path.join(cache, wheel), true);
  return path.join(cache, wheel);
}

// The wheel is a zip; python's zipfile extracts only what the binding needs.
const EXTRACT_PY = `
import sys, zipfile, os, shutil
wheel, deps = sys.argv[1], sys.argv[2]
lib = os.path.join(deps, 'lib'); inc = os.path.join(deps, 'include')
os.makedirs(lib, exist_ok=True); os.makedirs(inc, exist_ok=True)
libs = {'tensorflow/libtensorflow_cc.so.2', 'tensorflow/libtensorflow_framework.so.2'}
prefixes = ('tensorflow/include/tensorflow/c/', 'tensorflow/include/tensorflow/core/platform/ctstring',
            'tensorflow/include/xla/tsl/c/', 'tensorflow/include/tsl/platform/ctstring')
n = 0
with zipfile.ZipFile(wheel) as z:
    for info in z.infolist():
        name = info.filename
        if name in libs:
            dest = os.path.join(lib, os.path.basename(name))
        elif name.startswith(prefixes) and name.endswith('.h'):
            dest = os.path.join(inc, name[len('tensorflow/include/'):])
        else:
            continue
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        with z.open(info) as src, open(dest, 'wb') as out:
            shutil.copyfileobj(src, out, 1 << 20)
        n += 1
print(n)
`;

function layOut(wheel, tfjsNodeDir) {
  const deps = path.join(tfjsNodeDir, 'deps');
  fs.rmSync(deps, { recursive: true, force: true });
  log(`extracting libtensorflow from ${path.basename(wheel)}`);
  const py = findPython() || 'python3';
  const count = execFileSync(py, ['-c', EXTRACT_PY, wheel, deps], { encoding: 'utf8' }).trim();
  const lib = path.join(deps, 'lib');
  for (const f of ['libtensorflow_cc.so.2', 'libtensorflow_framework.so.2']) {
    if (!fs.existsSync(path.join(lib, f))) throw new Error(`${f} missing from the wheel`);
  }
  const links = {
    'libtensorflow.so': 'libtensorflow_cc.so.2',
    'libtensorflow.so.2': 'libtensorflow_cc.so.2',
    [`libtensorflow.so.${LIB_VERSION}`]: 'libtensorflow_cc.so.2',
    'libtensorflow_framework.so': 'libtensorflow_framework.so.2',
    [`libtensorflow_framework.so.${LIB_VERSION}`]: 'libtensorflow_framework.so.2',
  };
  for (const [name, target] of Object.entries(links)) fs.symlinkSync(target, path.join(lib, name));
  log(`laid out ${count} files in ${deps}; tfjs-node will now build its binding from source`);
}

async function main() {
  if (os.platform() !== 'linux' || os.arch() !== 'x64') return; // tfjs-node's own download covers the rest
  if ((process.env.FERKIT_ENGINE || '').toLowerCase() === 'wasm') {
    log('FERKIT_ENGINE=wasm: leaving the native engine alone');
    return;
  }
  const dir = findTfjsNode();
  if (!dir) return;
  if (fs.existsSync(path.join(dir, 'deps', 'lib', `libtensorflow.so.${LIB_VERSION}`))) return; // already there
  if (!process.env.FERKIT_FORCE_WHEEL && await canReach(`https://storage.googleapis.com/tensorflow/libtensorflow/libtensorflow-cpu-linux-x86_64-${LIB_VERSION}.tar.gz`, 5000)) {
    return; // tfjs-node's normal download works here
  }
  log('libtensorflow cannot be downloaded from its usual place; using the one inside the TensorFlow CPU wheel');
  const py = findPython();
  if (!py && !process.env.FERKIT_TF_WHEEL) throw new Error('python3 with pip is needed to fetch the TensorFlow CPU wheel (or set FERKIT_TF_WHEEL)');
  layOut(obtainWheel(py), dir);
}

module.exports = { checkWheel, sha256, PINNED_WHEELS };

// run as a script (npm's preinstall); required by a test, it only lends its checks
if (require.main === module) {
  main().catch((err) => {
    log(`could not prepare libtensorflow: ${err.message}`);
    log('the native engine may be unavailable; ferkit will then use the WebAssembly backend (slow training).');
    log('see README "Native engine" for what to install.');
  });
}
