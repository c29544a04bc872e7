// Getting trace text in: a picked or dropped file, or ?trace=URL. Sizes are checked before reading everything,
// so a huge file is refused without being read; the text then goes through parseTraceText.

import { LIMITS, TraceError, parseTraceText, type ViewTrace } from './validate.ts';

export async function traceFromFile(file: File): Promise<ViewTrace> {
  if (file.size > LIMITS.bytes) throw new TraceError(`${file.name}: ${file.size} bytes; traces are limited to ${LIMITS.bytes} bytes`);
  const text = await file.text();
  try {
    return parseTraceText(text);
  } catch (e) {
    if (e instanceof TraceError) throw new TraceError(e.located(file.name));
    throw e;
  }
}

async function boundedText(r: Response, max: number): Promise<string> {
  const declared = Number(r.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > max) throw new TraceError(`the trace is ${declared} bytes; traces are limited to ${max} bytes`);
  if (!r.body) return '';
  const reader = r.body.getReader();
  const decoder = new TextDecoder();
  let total = 0;
  let text = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > max) {
      await reader.cancel().catch(() => undefined);
      throw new TraceError(`the trace is larger than ${max} bytes`);
    }
    text += decoder.decode(value, { stream: true });
  }
  return text + decoder.decode();
}

export async function traceFromUrl(param: string): Promise<ViewTrace> {
  let url: URL;
  try {
    url = new URL(param, location.href);
  } catch {
    throw new TraceError(`?trace= is not a URL: ${param.slice(0, 80)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TraceError(`?trace= must be an http(s) URL, not ${url.protocol}`);
  let r: Response;
  try {
    r = await fetch(url, { credentials: 'same-origin', redirect: 'follow' });
  } catch (e) {
    throw new TraceError(`cannot fetch ${url.href.slice(0, 200)}: ${(e as Error).message}`);
  }
  if (!r.ok) throw new TraceError(`cannot fetch ${url.href.slice(0, 200)}: HTTP ${r.status}`);
  const text = await boundedText(r, LIMITS.bytes);
  try {
    return parseTraceText(text);
  } catch (e) {
    if (e instanceof TraceError) throw new TraceError(e.located(url.pathname.slice(0, 120)));
    throw e;
  }
}
