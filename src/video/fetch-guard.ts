/**
 * Fetching a URL on a stranger's behalf (a job's picture or video) without
 * becoming their way into the network ferkit runs in. Before any
 * connection, the host name is resolved and every address it resolves to
 * must be public (ip-ranges.ts): no loopback, private, link-local (cloud
 * metadata at 169.254.169.254), multicast, unspecified or reserved address,
 * unless the operator allowed it (`allowHosts`, FERKIT_ALLOW_HOSTS). The
 * connection is then made to the address that was checked (the Host header
 * and the TLS server name still carry the name), so a name cannot resolve
 * to a public address for the check and to a private one for the
 * connection. Redirects are followed here, a few at most, each checked the
 * same way. Every failure to connect reads the same, so the answers do not
 * tell which ports are open on a host.
 */
import { lookup } from 'node:dns/promises';
import { createWriteStream } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { pipeline } from 'node:stream/promises';
import { FerkitError } from '../core/errors.js';
import { addressAllowed, addressKind, hostAllowed, NO_ALLOWANCE, parseAllowList, type AllowList } from './ip-ranges.js';

export type { AllowList } from './ip-ranges.js';

/** The environment variable an operator names allowed hosts and ranges in (comma- or space-separated). */
export const ALLOW_HOSTS_ENV = 'FERKIT_ALLOW_HOSTS';

/** An allow list from entries (`10.0.0.0/8`, `fd00::/8`, `10.1.2.3`, `minio.internal`, `*.corp.example`); a bad entry is BAD_ARGUMENT. */
export function allowList(entries: string | readonly string[], option = 'allowHosts'): AllowList {
  const parsed = parseAllowList(entries);
  if ('error' in parsed)
    throw new FerkitError('BAD_ARGUMENT', `${option}: ${parsed.error}; give addresses, CIDR ranges or host names separated by commas`, {
      options: ['allowHosts'],
    });
  return parsed;
}

/** The allow list FERKIT_ALLOW_HOSTS names, empty when it is not set. */
export function allowListFromEnv(env: NodeJS.ProcessEnv = process.env): AllowList {
  const v = env[ALLOW_HOSTS_ENV];
  return v ? allowList(v, ALLOW_HOSTS_ENV) : NO_ALLOWANCE;
}

export interface GuardOptions {
  /** Hosts and ranges that may be fetched although they are not public. Default: none. */
  allow?: AllowList;
  /** Redirects followed, each checked as the first URL is. Default 5. */
  maxRedirects?: number;
  /** Longest wait for an answer's headers from each server, in ms. Default 30 000. */
  timeoutMs?: number;
  /** Request headers (a `range`, say). */
  headers?: Record<string, string>;
  /** Stops the exchange (and the body's reading) when aborted. */
  signal?: AbortSignal;
}

/** An answer, after redirects: its status, headers, body and the URL that gave it. */
export interface GuardedResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: IncomingMessage;
  url: string;
}

/** Where a checked URL connects: the address it was checked at. */
export interface CheckedTarget {
  url: URL;
  /** The host as the URL names it (no brackets). */
  host: string;
  address: string;
  family: 4 | 6;
}

const refusedHelp = (host: string) =>
  `fetching it on behalf of a job is refused; if ${host} is a server of yours that workers should read, allow it with --allow-hosts or ${ALLOW_HOSTS_ENV}`;

/**
 * Resolves a URL's host and checks every address it resolves to; throws
 * BAD_ARGUMENT before any connection when one is not public and not
 * allowed. `name` names the input in messages.
 */
export async function checkUrl(input: string | URL, name: string, allow: AllowList = NO_ALLOWANCE): Promise<CheckedTarget> {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw new FerkitError('BAD_ARGUMENT', `${name}: not a URL; give an http or https URL`, { file: name });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new FerkitError('BAD_ARGUMENT', `${name}: ${url.protocol}// is not fetched; give an http or https URL`, { file: name });
  if (url.username || url.password) throw new FerkitError('BAD_ARGUMENT', `${name}: URLs with a user name or password are not fetched`, { file: name });
  // the URL parser has already turned 2130706433, 0x7f.1 and 017700000001 into 127.0.0.1
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const byName = !isIP(host) && hostAllowed(host, allow);
  let addresses: { address: string; family: number }[];
  if (isIP(host)) addresses = [{ address: host, family: isIP(host) }];
  else {
    try {
      addresses = await lookup(host, { all: true, verbatim: true });
    } catch {
      throw new Error(`${name}: ${host} could not be reached; will retry`);
    }
  }
  if (!addresses.length) throw new Error(`${name}: ${host} could not be reached; will retry`);
  for (const a of addresses) {
    const kind = addressKind(a.address);
    if (kind !== 'public' && !byName && !addressAllowed(a.address, allow)) {
      const what = kind === 'reserved' ? 'a reserved' : kind === 'unspecified' ? 'the unspecified' : `a ${kind}`;
      const shown = a.address === host ? host : `${host} (${a.address})`;
      throw new FerkitError('BAD_ARGUMENT', `${name}: ${shown} is ${what} address; ${refusedHelp(host)}`, { file: name, options: ['allowHosts'] });
    }
  }
  const first = addresses[0];
  return { url, host, address: first.address, family: first.family === 6 ? 6 : 4 };
}

/** One GET to the checked address, answered with headers (the body still to read). */
function get(target: CheckedTarget, name: string, options: GuardOptions): Promise<IncomingMessage> {
  const { url, address, family } = target;
  // the connection goes to the address checked, whatever the name resolves to now
  const pinned: LookupFunction = (_host, opts, callback) => {
    if ((opts as { all?: boolean }).all) (callback as (e: null, a: { address: string; family: number }[]) => void)(null, [{ address, family }]);
    else callback(null, address, family);
  };
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<IncomingMessage>((resolve, reject) => {
    const unreachable = () => reject(new Error(`${name}: ${target.host} could not be reached; will retry`));
    const req = request(
      {
        host: target.host,
        port: url.port || undefined,
        path: `${url.pathname}${url.search}`,
        method: 'GET',
        headers: { 'user-agent': 'ferkit', accept: '*/*', ...options.headers },
        lookup: pinned,
        agent: false,
        timeout: options.timeoutMs ?? 30_000,
        ...(options.signal ? { signal: options.signal } : {}),
      },
      resolve,
    );
    // refused, reset, timed out, not HTTP: all read alike
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => (options.signal?.aborted ? reject(new FerkitError('BAD_ARGUMENT', `${name}: stopped`, { file: name })) : unreachable()));
    req.end();
  });
}

/**
 * GETs an http(s) URL as a job's input: every address checked before
 * connecting, the connection pinned to it, redirects followed (at most
 * `maxRedirects`) and each checked in turn. A refused address is
 * BAD_ARGUMENT; a server that cannot be reached is a plain Error (worth a
 * retry), with the same words whatever the reason.
 */
export async function guardedGet(input: string, name: string, options: GuardOptions = {}): Promise<GuardedResponse> {
  const allow = options.allow ?? NO_ALLOWANCE;
  const maxRedirects = options.maxRedirects ?? 5;
  let current = input;
  for (let hop = 0; ; hop++) {
    const target = await checkUrl(current, name, allow);
    const res = await get(target, name, options);
    const status = res.statusCode ?? 0;
    const location = res.headers.location;
    if (status >= 300 && status < 400 && status !== 304 && location) {
      res.destroy();
      if (hop >= maxRedirects)
        throw new FerkitError('BAD_ARGUMENT', `${name}: more than ${maxRedirects} redirects; give the URL the file is finally at`, { file: name });
      current = new URL(location, target.url).href;
      continue;
    }
    return { status, headers: res.headers, body: res, url: target.url.href };
  }
}

/** Reads a body into memory, at most `limit` bytes (more is BAD_IMAGE). */
export async function readLimited(res: GuardedResponse, limit: number, name: string): Promise<Buffer> {
  const declared = Number(res.headers['content-length'] ?? NaN);
  if (declared > limit) {
    res.body.destroy();
    throw new FerkitError('BAD_IMAGE', `${name}: ${declared} bytes, over the limit of ${limit} bytes`, { file: name });
  }
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > limit) throw new FerkitError('BAD_IMAGE', `${name}: over the limit of ${limit} bytes`, { file: name });
      chunks.push(chunk);
    }
  } catch (err) {
    res.body.destroy();
    if (err instanceof FerkitError) throw err;
    throw new Error(`${name}: the download broke off; will retry`, { cause: err });
  }
  return Buffer.concat(chunks);
}

/** Writes a body to `file`, at most `limit` bytes (more is BAD_IMAGE): for ffmpeg to read a local file, not the network. */
export async function saveLimited(res: GuardedResponse, file: string, limit: number, name: string): Promise<number> {
  const declared = Number(res.headers['content-length'] ?? NaN);
  if (declared > limit) {
    res.body.destroy();
    throw new FerkitError('BAD_IMAGE', `${name}: ${declared} bytes, over the limit of ${limit} bytes; give a shorter video`, { file: name });
  }
  let total = 0;
  try {
    await pipeline(
      res.body,
      async function* (source: AsyncIterable<Buffer>) {
        for await (const chunk of source) {
          total += chunk.length;
          if (total > limit) throw new FerkitError('BAD_IMAGE', `${name}: over the limit of ${limit} bytes; give a shorter video`, { file: name });
          yield chunk;
        }
      },
      createWriteStream(file, { flags: 'wx', mode: 0o600 }),
    );
  } catch (err) {
    res.body.destroy();
    if (err instanceof FerkitError) throw err;
    throw new Error(`${name}: the download broke off; will retry`, { cause: err });
  }
  return total;
}
