// The shareable link: the hash alone carries what is needed to re-derive a trace by replay — the scenario source
// (deflate-raw, base64url), the variant label and the path — plus the selected step. Nothing leaves the browser
// and the link stays valid as long as the scenario means the same thing. The hash is decoded with bounds at
// every stage, since a link is as hostile as any other input.

export interface Share {
  source: string;
  /** Variant label as in a trace ("rfc-v4", "v6.2+rfc-v4-replace"). */
  variant: string;
  path: string;
  /** The property the trace is a counterexample for (a path may pass other findings on the way). */
  prop?: string;
}

export interface HashState {
  share: { src: string; variant: string; path: string; prop?: string } | null;
  /** The whole trace, compressed (a link that needs no replay and survives a changed model). */
  trace: string | null;
  step: number | null;
  view: 'playground' | null;
}

export const MAX_HASH = 512 * 1024;
export const MAX_SOURCE_BYTES = 1024 * 1024;

export class LinkError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LinkError';
  }
}

function toBase64Url(bytes: Uint8Array): string {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(s: string): Uint8Array<ArrayBuffer> {
  if (!/^[A-Za-z0-9_-]*$/.test(s)) throw new LinkError('the link is damaged: the scenario is not base64url text');
  const b64 = s.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (s.length % 4)) % 4);
  let bin: string;
  try {
    bin = atob(b64);
  } catch {
    throw new LinkError('the link is damaged: the scenario is not base64url text');
  }
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

async function readAll(stream: ReadableStream<Uint8Array>, max: number): Promise<Uint8Array> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    // Stop inflating as soon as the bound is crossed: a few KiB of link could otherwise expand to gigabytes.
    if (total > max) {
      await reader.cancel().catch(() => undefined);
      throw new LinkError(`the link's scenario expands to more than ${max} bytes`);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

export async function compress(text: string): Promise<string> {
  const input = new Blob([new TextEncoder().encode(text)]).stream();
  const bytes = await readAll(input.pipeThrough(new CompressionStream('deflate-raw')), MAX_HASH);
  return toBase64Url(bytes);
}

export async function decompress(b64: string, max = MAX_SOURCE_BYTES): Promise<string> {
  const bytes = fromBase64Url(b64);
  let out: Uint8Array;
  try {
    out = await readAll(new Blob([bytes]).stream().pipeThrough(new DecompressionStream('deflate-raw')), max);
  } catch (e) {
    if (e instanceof LinkError) throw e;
    throw new LinkError('the link is damaged: its scenario is not valid compressed data');
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(out);
  } catch {
    throw new LinkError('the link is damaged: its scenario is not UTF-8 text');
  }
}

export function parseHash(hash: string): HashState {
  const raw = hash.startsWith('#') ? hash.slice(1) : hash;
  if (raw.length > MAX_HASH) throw new LinkError(`the link's fragment is ${raw.length} characters (at most ${MAX_HASH})`);
  const p = new URLSearchParams(raw);
  const src = p.get('src');
  const variant = p.get('variant');
  const path = p.get('path');
  let share: HashState['share'] = null;
  if (src !== null || variant !== null || path !== null) {
    if (src === null || variant === null || path === null) {
      throw new LinkError('the link is incomplete: it needs src, variant and path');
    }
    if (variant.length > 200) throw new LinkError('the link is damaged: the variant name is too long');
    const prop = p.get('prop');
    if (prop !== null && !/^[A-Za-z0-9_.-]{1,100}$/.test(prop)) throw new LinkError('the link is damaged: the property name is not a name');
    share = prop === null ? { src, variant, path } : { src, variant, path, prop };
  }
  const stepText = p.get('step');
  let step: number | null = null;
  if (stepText !== null && /^\d{1,6}$/.test(stepText)) step = Number(stepText);
  const trace = p.get('trace');
  if (trace !== null && share !== null) throw new LinkError('the link is damaged: it carries both a trace and a path to replay');
  return { share, trace, step, view: p.get('view') === 'playground' ? 'playground' : null };
}

/** The fragment for a share (without '#'); `src` is passed in already compressed so it is computed once. */
export function formatHash(h: { src?: string; variant?: string; path?: string; prop?: string; step?: number | null; view?: string; trace?: string }): string {
  const p = new URLSearchParams();
  if (h.view) p.set('view', h.view);
  if (h.trace !== undefined) p.set('trace', h.trace);
  if (h.trace === undefined && h.src !== undefined && h.variant !== undefined && h.path !== undefined) {
    p.set('variant', h.variant);
    p.set('path', h.path);
    if (h.prop) p.set('prop', h.prop);
    p.set('src', h.src);
  }
  if (h.step !== undefined && h.step !== null) p.set('step', String(h.step));
  return p.toString();
}
