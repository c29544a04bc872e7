// Loading the compiled kernel in Node (the CLI and tests). The browser build fetches the same file.
import { readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { instantiate, type FdraceExports } from './exports.ts';

let compiled: WebAssembly.Module | undefined;

export function wasmPath(debug = false): string {
  return fileURLToPath(new URL(`../../build/fdrace${debug ? '.debug' : ''}.wasm`, import.meta.url));
}

export function kernelModule(): WebAssembly.Module {
  if (!compiled) {
    const p = wasmPath();
    if (!existsSync(p)) throw new Error(`${p} is missing: run \`npm run build\` first`);
    compiled = new WebAssembly.Module(readFileSync(p));
  }
  return compiled;
}

export function loadKernel(): Promise<FdraceExports> {
  return instantiate(kernelModule());
}
