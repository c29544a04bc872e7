// The main thread's handle on the checker worker. A BFS cannot be interrupted from outside, so Cancel terminates
// the worker; the pending call is then rejected here (comlink would leave it pending forever) and the next run
// starts a fresh worker.

import * as Comlink from 'comlink';
import type { Progress } from '../../checker/search/bfs.ts';
import type { CheckerApi, CheckLimits, CheckOutcome } from './worker.ts';

export class Cancelled extends Error {
  constructor() {
    super('cancelled');
    this.name = 'Cancelled';
  }
}

export class CheckerClient {
  private worker: Worker | null = null;
  private api: Comlink.Remote<CheckerApi> | null = null;
  private abort: ((e: Error) => void) | null = null;

  private remote(): Comlink.Remote<CheckerApi> {
    if (!this.api) {
      this.worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'fdrace-checker' });
      this.worker.addEventListener('error', (ev) => {
        ev.preventDefault();
        this.abort?.(new Error(`the checker worker failed: ${ev.message || 'it could not start'}`));
        this.reset();
      });
      this.api = Comlink.wrap<CheckerApi>(this.worker);
    }
    return this.api;
  }

  check(source: string, variant: string, limits: CheckLimits, onProgress: (p: Progress) => void): Promise<CheckOutcome> {
    const call = this.remote().check(source, variant, limits, Comlink.proxy(onProgress));
    const cancelled = new Promise<never>((_, reject) => {
      this.abort = reject;
    });
    return Promise.race([call, cancelled]).finally(() => {
      this.abort = null;
    });
  }

  cancel(): void {
    this.reset();
    this.abort?.(new Cancelled());
  }

  private reset(): void {
    this.worker?.terminate();
    this.worker = null;
    this.api = null;
  }
}
