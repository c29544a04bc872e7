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
  help: { kind: 'flag', help: 'show this help' },
};
export const VIEW_USAGE = 'usage: fdrace view [TRACE.json] [--port N] [--no-open]';

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

/** Sent with every response: cross-origin isolation (shared Wasm memory in workers) and no sniffing. */
export const HEADERS: Record<string, string> = {
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
    if (e instanceof TraceError) throw new UsageError(`${path}: not a valid trace: ${e.message.replace(/\s+/g, ' ')}`);
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

export function handler(trace: string | null): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
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
  await ensureBuilt();
  const port = typeof opts.port === 'number' ? opts.port : 7357;
  const server = createServer(handler(trace));
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(e.code === 'EADDRINUSE' ? new UsageError(`port ${port} is in use: pass --port N (or --port 0 for any free port)`) : e),
    );
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const addr = server.address();
  const actual = typeof addr === 'object' && addr ? addr.port : port;
  const url = `http://127.0.0.1:${actual}/${trace === null ? '' : '?trace=/trace.json'}`;
  console.log(`fdrace view: serving web/dist${trace === null ? '' : ` and ${positional[0]}`} at ${url} (Ctrl-C to stop)`);
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
