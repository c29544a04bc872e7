// The threaded build of the engine (asconfig.json target "threads": the same AssemblyScript source compiled with
// ASC_FEATURE_THREADS, importing one shared memory). Every worker and the coordinator instantiate it on the same
// WebAssembly.Memory; the engine's state lives in that memory (checker/wasm/shared.ts), each instance keeps only
// its own buffers.

import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FdraceExports } from '../kernel/exports.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));

export function threadedWasmPath(): string {
  return join(root, 'build', 'fdrace.threads.wasm');
}

function newestSource(dir: string): number {
  let t = 0;
  for (const f of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, f.name);
    if (f.isDirectory()) t = Math.max(t, newestSource(p));
    else if (f.name.endsWith('.ts')) t = Math.max(t, statSync(p).mtimeMs);
  }
  return t;
}

/** The threaded module's bytes, building it first when it is missing or older than the sources
 *  (`npm run build` builds the release and debug targets; this one is built on demand). */
export function threadedWasmBytes(): Uint8Array<ArrayBuffer> {
  const p = threadedWasmPath();
  const stale = !existsSync(p) || statSync(p).mtimeMs < Math.max(newestSource(join(root, 'model')), newestSource(join(root, 'checker', 'wasm')));
  if (stale) {
    const asc = join(root, 'node_modules', '.bin', 'asc');
    execFileSync(asc, ['--config', 'asconfig.json', '--target', 'threads'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  }
  return new Uint8Array(readFileSync(p));
}

export function sharedMemory(): WebAssembly.Memory {
  return new WebAssembly.Memory({ initial: 2, maximum: 65536, shared: true });
}

export async function instantiateThreaded(module: WebAssembly.Module, memory: WebAssembly.Memory): Promise<FdraceExports> {
  const instance = await WebAssembly.instantiate(module, {
    env: {
      memory,
      abort(_m: number, _f: number, line: number, col: number): never {
        throw new Error(`fdrace kernel aborted at ${line}:${col} (internal error)`);
      },
    },
  });
  const x = instance.exports as unknown as FdraceExports;
  x._start?.();
  return x;
}

export const workerShim = join(dirname(fileURLToPath(import.meta.url)), 'worker.mjs');
