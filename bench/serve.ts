/**
 * The HTTP service under load: requests/second and p50/p99 latency for a
 * one-face 640x480 JPEG at 1, 4 and 16 concurrent clients (autocannon on
 * loopback), for each way of using the cores: one process whose engine uses
 * them all, one process running two inferences at once, and two processes.
 * Prints a table and writes it as JSON. A benchmark, not a test.
 *
 *   npm run bench:serve [-- --seconds 15 --out bench-serve.json] [--detector accurate|fast|auto]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import autocannon from 'autocannon';
import { PROJECT_ROOT } from '../test/fixtures.js';
import { startServe } from '../test/web-harness.js';
import { cpuDescription } from './timing.js';

const { values } = parseArgs({
  options: { seconds: { type: 'string', default: '15' }, out: { type: 'string' }, detector: { type: 'string', default: 'accurate' } },
});
const seconds = Number(values.seconds);

const photo = await sharp(readFileSync(join(PROJECT_ROOT, 'docs', 'images', 'astronaut.jpg')))
  .resize(640, 480, { fit: 'cover' })
  .jpeg({ quality: 90 })
  .toBuffer();

interface Row {
  setup: string;
  clients: number;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
}

const setups: [string, string[]][] = [
  ['1 process, 1 inference at a time', ['--concurrency', '1']],
  ['1 process, 2 inferences at a time', ['--concurrency', '2']],
  ['2 processes (cluster), 1 inference each', ['--workers', '2', '--concurrency', '1']],
];
const rows: Row[] = [];
for (const [setup, flags] of setups) {
  const served = await startServe(['--queue', '64', '--detector', values.detector, ...flags]);
  const { url } = served;
  try {
    // warm-up: first inferences compile kernels
    await autocannon({ url: `${url}/v1/recognize`, method: 'POST', headers: { 'content-type': 'image/jpeg' }, body: photo, connections: 2, duration: 3 });
    for (const clients of [1, 4, 16]) {
      const r = await autocannon({
        url: `${url}/v1/recognize`,
        method: 'POST',
        headers: { 'content-type': 'image/jpeg' },
        body: photo,
        connections: clients,
        duration: seconds,
        timeout: 60,
      });
      rows.push({
        setup,
        clients,
        requestsPerSecond: r.requests.average,
        p50: r.latency.p50,
        p99: r.latency.p99,
        errors: r.errors + r.timeouts,
        non2xx: r.non2xx,
      });
      console.error(
        `${setup}, ${clients} clients: ${r.requests.average.toFixed(1)} req/s, p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, ${r.non2xx} non-2xx`,
      );
    }
  } finally {
    await served.stop();
  }
}

const cpu = cpuDescription();
console.log(`ferkit serve --detector ${values.detector}, one-face 640x480 JPEG (${photo.length} bytes), ${seconds} s per row, autocannon on loopback; ${cpu}`);
console.log(['setup', 'clients', 'req/s', 'p50 ms', 'p99 ms', 'non-2xx'].join(' | '));
for (const r of rows) console.log([r.setup, r.clients, r.requestsPerSecond.toFixed(1), r.p50, r.p99, r.non2xx].join(' | '));
if (values.out) writeFileSync(values.out, JSON.stringify({ cpu, seconds, detector: values.detector, rows }, null, 2) + '\n');
