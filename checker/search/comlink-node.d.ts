// comlink's Node adapter has no types at its ESM path (toolchain notes, gotcha 3).
declare module 'comlink/dist/esm/node-adapter.mjs' {
  import type { Endpoint } from 'comlink';
  // Accepts a worker_threads Worker or MessagePort.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  // biome-ignore lint/suspicious/noExplicitAny: comlink's own signature for the adapter takes any Node endpoint
  export default function nodeEndpoint(nep: any): Endpoint;
}
