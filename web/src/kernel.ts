// The kernel in the browser: the same build/fdrace.wasm the CLI runs, fetched once per page (or worker) and
// compiled once; one instance serves every replay on the main thread, since load() resets it each time.

import wasmUrl from '../../build/fdrace.wasm?url';
import { instantiate, type FdraceExports } from '../../checker/kernel/exports.ts';

let module: Promise<WebAssembly.Module> | undefined;
let instance: Promise<FdraceExports> | undefined;

export function kernelModule(): Promise<WebAssembly.Module> {
  module ??= fetch(wasmUrl)
    .then((r) => {
      if (!r.ok) throw new Error(`cannot load the kernel (${wasmUrl}: HTTP ${r.status})`);
      return r.arrayBuffer();
    })
    .then((b) => WebAssembly.compile(b));
  module.catch(() => {
    module = undefined;
  });
  return module;
}

export function kernel(): Promise<FdraceExports> {
  instance ??= kernelModule().then(instantiate);
  instance.catch(() => {
    instance = undefined;
  });
  return instance;
}
