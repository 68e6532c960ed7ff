/** A Redis server of the tests' own: Debian's redis-server on a free loopback port, its files in a temporary folder. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { tempDir } from './fixtures.js';

/** False when redis-server can be run, else a skip message for node:test. */
export function needsRedis(): string | false {
  const r = spawnSync(process.env.FERKIT_REDIS_SERVER ?? 'redis-server', ['--version'], { stdio: 'ignore' });
  return r.status === 0 ? false : 'redis-server is not installed (scripts/install-system.sh, or apt-get install redis-server)';
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export interface TestRedis {
  url: string;
  port: number;
  dir: string;
  /** Stops the server (SIGTERM: it writes its append-only file and exits). */
  stop(): Promise<void>;
  /** Starts it again on the same port and folder. */
  restart(): Promise<void>;
  /** Stops it and removes its folder. */
  cleanup(): Promise<void>;
}

/** Starts redis-server; `appendonly` turns persistence on (every write logged, fsync'ed each second). */
export async function startRedis(options: { appendonly?: boolean } = {}): Promise<TestRedis> {
  const tmp = tempDir('ferkit-redis-');
  const port = await freePort();
  let proc: ChildProcess | undefined;
  const launch = () =>
    new Promise<void>((resolve, reject) => {
      const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', tmp.dir, '--save', '', '--appendonly', options.appendonly ? 'yes' : 'no'];
      const p = spawn(process.env.FERKIT_REDIS_SERVER ?? 'redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
      proc = p;
      let out = '';
      const onData = (d: Buffer) => {
        out += d.toString();
        if (/Ready to accept connections/.test(out)) {
          p.stdout!.off('data', onData);
          p.stdout!.resume();
          resolve();
        }
      };
      p.stdout!.on('data', onData);
      p.stderr!.resume();
      p.once('exit', (code) => reject(new Error(`redis-server exited (${code}) before it was ready: ${out.slice(-2000)}`)));
    });
  const stop = async () => {
    const p = proc;
    proc = undefined;
    if (!p || p.exitCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGTERM');
    await exited;
  };
  await launch();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir: tmp.dir,
    stop,
    restart: launch,
    cleanup: async () => {
      await stop();
      tmp.cleanup();
    },
  };
}
