/**
 * Temporary folders of a worker (an uploaded video written for ffmpeg to
 * read), named after the process that made them: `ferkit-job-<host>-<pid>-*`
 * in the system's temporary folder. A worker removes its own when a job is
 * done with them; one killed before it could (SIGKILL, a crash, a power
 * cut) leaves them behind, and the next worker to start on the same host
 * removes every one whose process is gone.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';

const PREFIX = 'ferkit-job-';

/** This host, shortened: folders of another host (a temporary folder shared by containers) are never judged by this one's processes. */
const hostTag = () => createHash('sha256').update(hostname()).digest('hex').slice(0, 8);

/** Makes a temporary folder owned by this process. */
export function scratchDir(root = tmpdir()): Promise<string> {
  return mkdtemp(join(root, `${PREFIX}${hostTag()}-${process.pid}-`));
}

/** Whether process `pid` is running on this host. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it runs, as another user
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the temporary folders left by processes of this host that are no
 * longer running; returns their paths. Folders of running processes, of
 * other hosts, and anything not named as a worker names them are left alone.
 */
export async function removeStaleScratchDirs(root = tmpdir()): Promise<string[]> {
  const tag = hostTag();
  const pattern = new RegExp(`^${PREFIX}${tag}-(\\d+)-[^/]+$`);
  const removed: string[] = [];
  for (const name of await readdir(root).catch(() => [] as string[])) {
    const pid = Number(pattern.exec(name)?.[1]);
    if (!(pid > 0) || pid === process.pid || alive(pid)) continue;
    const path = join(root, name);
    await rm(path, { recursive: true, force: true }).then(
      () => removed.push(path),
      () => {},
    );
  }
  return removed;
}
