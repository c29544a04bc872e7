// Processes the browser tests drive: the real CLI (bin/fdrace.mjs) for traces and `fdrace view` as the server.

import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CHROMIUM = '/usr/bin/chromium';
const BIN = `${ROOT}bin/fdrace.mjs`;

export function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export interface ViewServer {
  /** Base URL ending in '/'. */
  url: string;
  stop(): Promise<void>;
}

/** Start `fdrace view TRACE --port 0 --no-open` and wait for the URL it prints. */
export function startView(trace: string, args: string[] = [], env: Record<string, string> = {}): Promise<ViewServer> {
  const child = spawn(process.execPath, [BIN, 'view', trace, '--port', '0', '--no-open', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let out = '';
  let err = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error(`fdrace view printed no URL within 30 s:\n${out}${err}`));
    }, 30_000);
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /(http:\/\/127\.0\.0\.1:\d+\/)\?trace=\/trace\.json/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      resolve({
        url: m[1]!,
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      });
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`fdrace view exited with ${code}:\n${out}${err}`));
    });
  });
}
