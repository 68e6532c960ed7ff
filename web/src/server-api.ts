/** `POST /v1/recognize` of the server that served the page. */
import type { FaceRecord } from '../../src/browser/index.js';

export interface ServerAnswer {
  model: string;
  milliseconds: number;
  width: number;
  height: number;
  faces: FaceRecord[];
}

const ACCEPTED = ['image/jpeg', 'image/png', 'image/webp'];

/** Sends the photo's bytes as they are; the server decodes them. */
export async function recognizeOnServer(file: Blob): Promise<ServerAnswer> {
  if (!ACCEPTED.includes(file.type)) throw new Error(`the server takes JPEG, PNG or WebP photos; this one is ${file.type || 'of an unknown type'}`);
  const response = await fetch('/v1/recognize', { method: 'POST', headers: { 'content-type': file.type }, body: file });
  const body = (await response.json().catch(() => undefined)) as (ServerAnswer & { error?: { message: string } }) | undefined;
  if (!response.ok || !body) throw new Error(`the server answered ${response.status}: ${body?.error?.message ?? response.statusText}`);
  return body;
}
