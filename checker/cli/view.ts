// fdrace view [TRACE.json] [--port N] [--no-open] : serve the web viewer (web/dist) and one trace on localhost.
// The trace is validated with the viewer's own checks before anything is served, so a malformed file is a one-line
// usage error (exit 2) here rather than a message in a browser tab. Node's http module only; static files are
// resolved inside web/dist and nowhere else.

import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LIMITS, TraceError, parseTraceText } from '../trace/validate.ts';
import { helpText, parseArgs, type OptSpec } from './args.ts';
import { EXIT, UsageError } from './exit.ts';

export const VIEW_OPTIONS: Record<string, OptSpec> = {
  port: { kind: 'int', value: 'N', min: 0, max: 65535, help: 'port on 127.0.0.1 (default 7357; 0 picks a free one)' },
  'no-open': { kind: 'flag', help: 'do not open a browser; just print the URL' },
  'base-url': {
    kind: 'string',
    value: 'URL',
    help: 'where share links point (a copy of the site from npm run build:web); default $FDRACE_VIEWER_URL, else this server',
  },
  help: { kind: 'flag', help: 'show this help' },
};
export const VIEW_USAGE = 'usage: fdrace view [TRACE.json] [--port N] [--no-open] [--base-url URL]';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const DIST = join(ROOT, 'web', 'dist');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

/** The page's policy, as a header (the meta tag in index.html covers static hosts, which cannot send one):
 *  scripts, styles and workers from this server only (the checker's worker is an inlined blob:), Wasm compiled from
 *  bytes, traces fetched over http(s), and no page may frame this one. */
export const CSP =
  "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self'; connect-src 'self' http: https:; " +
  "worker-src 'self' blob:; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** Sent with every response: the CSP, no framing, cross-origin isolation (shared Wasm memory in workers) and no
 *  sniffing. */
export const HEADERS: Record<string, string> = {
  'Content-Security-Policy': CSP,
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
};

function readTrace(path: string): string {
  let text: string;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new UsageError(`${path}: not a file`);
    if (st.size > LIMITS.bytes) throw new UsageError(`${path}: ${st.size} bytes is too large for a trace (limit ${LIMITS.bytes})`);
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`${path}: cannot read the file (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  try {
    parseTraceText(text);
  } catch (e) {
    if (e instanceof TraceError) throw new UsageError(e.located(path, 'not a valid trace: ').replace(/\s+/g, ' '));
    throw e;
  }
  return text;
}

async function ensureBuilt(): Promise<void> {
  if (existsSync(join(DIST, 'index.html'))) return;
  console.error('fdrace: web/dist is missing; building the viewer (npm run build:web)...');
  try {
    const { build } = await import('vite');
    await build({ configFile: join(ROOT, 'vite.config.ts'), logLevel: 'warn' });
  } catch (e) {
    throw new UsageError(`web/dist is missing and building it failed (${(e as Error).message.split('\n')[0]}): run \`npm run build && npm run build:web\``);
  }
  if (!existsSync(join(DIST, 'index.html'))) throw new UsageError('web/dist is missing: run `npm run build && npm run build:web`');
}

function send(res: ServerResponse, status: number, type: string, body: string | Buffer): void {
  res.writeHead(status, { ...HEADERS, 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

/** Where share links should point: an absolute http(s) URL without a fragment. */
export function checkBaseUrl(url: string, what: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UsageError(`${what}: not a URL: ${url}`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new UsageError(`${what}: must be an http(s) URL, not ${u.protocol}`);
  if (u.hash || /["<>\s]/.test(url)) throw new UsageError(`${what}: must not contain a fragment, quotes, angle brackets or spaces`);
  return u.href;
}

/** Only the names this server is reached by on this machine: a page on another name (DNS rebinding) is refused. */
function hostAllowed(host: string | undefined, port: number): boolean {
  if (!host) return false;
  return [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`].includes(host.toLowerCase());
}

export interface HandlerOptions {
  /** Port the server listens on (for the Host check); 0 or undefined: checked once it is known. */
  port?: () => number;
  baseUrl?: string | null;
}

function withBaseUrl(html: Buffer, base: string | null | undefined): Buffer {
  if (!base) return html;
  return Buffer.from(html.toString('utf8').replace('<meta name="fdrace-base-url" content="" />', `<meta name="fdrace-base-url" content="${base}" />`));
}

export function handler(trace: string | null, opts: HandlerOptions = {}): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const port = opts.port?.();
    if (port !== undefined && !hostAllowed(req.headers.host, port)) return send(res, 421, TYPES['.txt']!, 'misdirected request: unknown Host\n');
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, TYPES['.txt']!, 'method not allowed\n');
    let pathname: string;
    try {
      pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    } catch {
      return send(res, 400, TYPES['.txt']!, 'bad request\n');
    }
    if (pathname === '/trace.json') {
      return trace === null ? send(res, 404, TYPES['.txt']!, 'no trace given to fdrace view\n') : send(res, 200, TYPES['.json']!, trace);
    }
    const rel = normalize(pathname === '/' ? '/index.html' : pathname).replace(/^([/\\])+/, '');
    const file = join(DIST, rel);
    if (rel.includes('\0') || (file !== DIST && !file.startsWith(DIST + sep))) return send(res, 403, TYPES['.txt']!, 'forbidden\n');
    let body: Buffer;
    try {
      if (!statSync(file).isFile()) return send(res, 404, TYPES['.txt']!, 'not found\n');
      body = readFileSync(file);
    } catch {
      return send(res, 404, TYPES['.txt']!, 'not found\n');
    }
    if (extname(file) === '.html') body = withBaseUrl(body, opts.baseUrl);
    send(res, 200, TYPES[extname(file)] ?? 'application/octet-stream', body);
  };
}

function openBrowser(url: string): void {
  const cmd = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  try {
    const child = spawn(cmd, [url], { stdio: 'ignore', detached: true });
    child.on('error', () => console.error(`fdrace: could not start a browser (${cmd}); open the URL above`));
    child.unref();
  } catch {
    console.error(`fdrace: could not start a browser; open the URL above`);
  }
}

export async function viewCommand(argv: string[]): Promise<number> {
  const { positional, opts } = parseArgs(argv, VIEW_OPTIONS);
  if (opts.help) {
    console.log(helpText(VIEW_USAGE, VIEW_OPTIONS));
    return EXIT.ok;
  }
  if (positional.length > 1) throw new UsageError(`view takes at most one trace file\n${VIEW_USAGE}`);
  const trace = positional[0] === undefined ? null : readTrace(positional[0]);
  const env = process.env.FDRACE_VIEWER_URL;
  const baseUrl = typeof opts['base-url'] === 'string' ? checkBaseUrl(opts['base-url'], '--base-url') : env ? checkBaseUrl(env, 'FDRACE_VIEWER_URL') : null;
  await ensureBuilt();
  const port = typeof opts.port === 'number' ? opts.port : 7357;
  let listening = port;
  const server = createServer(handler(trace, { port: () => listening, baseUrl }));
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(e.code === 'EADDRINUSE' ? new UsageError(`port ${port} is in use: pass --port N (or --port 0 for any free port)`) : e),
    );
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const addr = server.address();
  const actual = typeof addr === 'object' && addr ? addr.port : port;
  listening = actual;
  const url = `http://127.0.0.1:${actual}/${trace === null ? '' : '?trace=/trace.json'}`;
  console.log(`fdrace view: serving web/dist${trace === null ? '' : ` and ${positional[0]}`} at ${url} (Ctrl-C to stop)`);
  if (baseUrl) console.log(`fdrace view: share links point to ${baseUrl}`);
  if (!opts['no-open']) openBrowser(url);
  const stop = (): void => {
    server.close();
    process.exit(EXIT.ok);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  // The server keeps the process alive; main() returns and the exit code applies when it is stopped.
  return EXIT.ok;
}
