// The kernel in the browser: the same build/fdrace.wasm the CLI runs, fetched once per page (or worker) and
// compiled once; one instance serves every replay on the main thread, since load() resets it each time.

// Inlined into the bundle as a data: URL and decoded here (not fetched), so the page also runs from file:// and
// from any static host without a Wasm MIME type.
import wasmUrl from '../../build/fdrace.wasm?url&inline';
import { instantiate, type FdraceExports } from '../../checker/kernel/exports.ts';

let module: Promise<WebAssembly.Module> | undefined;
let instance: Promise<FdraceExports> | undefined;

function decodeDataUrl(url: string): Uint8Array<ArrayBuffer> {
  const m = /^data:[^,]*;base64,(.*)$/s.exec(url);
  if (!m) throw new Error('cannot load the kernel: the build did not inline build/fdrace.wasm');
  const bin = atob(m[1]!);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export function kernelModule(): Promise<WebAssembly.Module> {
  module ??= Promise.resolve()
    .then(() => decodeDataUrl(wasmUrl))
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
