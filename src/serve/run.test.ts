/** `ferkit serve` as a process: it listens, answers, and on SIGTERM finishes what is in flight before it exits. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../test/fixtures.js';

const PHOTO = readFileSync(join(PROJECT_ROOT, 'docs', 'images', 'astronaut.jpg'));

test('SIGTERM: the request in flight is answered in full, then the process exits 0 and the port closes', async () => {
  const child = spawn(process.execPath, [join(PROJECT_ROOT, 'bin', 'ferkit.js'), 'serve', '--port', '0', '--log', 'info'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    let stderr = '',
      stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        const m = /listening on (http:\/\/\S+)/.exec(stderr);
        // the lines of the start come in one write
        if (m && /API docs/.test(stderr)) resolve(m[1]);
      });
      void exited.then((code) => reject(new Error(`ferkit serve exited (${code}) before listening: ${stderr}`)));
    });
    // the start says where the page, the API and its documentation are
    assert.match(stderr, /\n {2}web page {2}(http:\/\/\S+\/|not built here)/);
    assert.match(stderr, /\n {2}API {7}POST http:\/\/\S+\/v1\/recognize/);
    assert.match(stderr, /\n {2}API docs {2}http:\/\/\S+\/openapi\.json/);
    // the page's files are logged at debug level: at info, the log is the API's
    const modelFile = await fetch(`${url}/model/ferkit.json`);
    assert.equal(modelFile.status, 200);
    await fetch(`${url}/v1/health`);
    await new Promise<void>((resolve) => {
      const seen = () => /"url":"\/v1\/health"/.test(stdout);
      if (seen()) resolve();
      else child.stdout.on('data', () => seen() && resolve());
    });
    assert.doesNotMatch(stdout, /"url":"\/model\/ferkit\.json"/);
    // the log says when the request has arrived: then the stop signal comes while it is in flight
    const arrived = new Promise<void>((resolve) =>
      child.stdout.on('data', () => {
        if (/"url":"\/v1\/recognize"/.test(stdout)) resolve();
      }),
    );
    const form = new FormData();
    for (let i = 0; i < 4; i++) form.append('image', new Blob([new Uint8Array(PHOTO)], { type: 'image/jpeg' }), `${i}.jpg`);
    const response = fetch(`${url}/v1/recognize`, { method: 'POST', body: form });
    await arrived;
    child.kill('SIGTERM');
    const res = await response;
    assert.equal(res.status, 200);
    const body = (await res.json()) as { results: { faces: { emotion: string }[] }[] };
    assert.equal(body.results.length, 4);
    for (const r of body.results) assert.equal(r.faces[0].emotion, 'happy');
    assert.equal(await exited, 0);
    await assert.rejects(fetch(`${url}/v1/health`), 'nothing listens after the stop');
    // the logs name requests and timings, and never carry picture data
    assert.match(stdout, /"reqId"/);
    assert.match(stdout, /"responseTime"/);
    assert.ok(!stdout.includes(PHOTO.subarray(0, 64).toString('base64')), 'no picture bytes in the logs');
  } finally {
    child.kill('SIGKILL');
  }
});
