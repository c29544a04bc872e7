// The main thread's handle on the checker worker. A BFS cannot be interrupted from outside, so Cancel terminates
// the worker; the pending call is then rejected here (comlink would leave it pending forever) and the next run
// starts a fresh worker.

import * as Comlink from 'comlink';
import type { Progress } from '../../checker/search/options.ts';
import type { Share } from './url.ts';
import type { CheckerApi, CheckLimits, CheckOutcome, DeriveOutcome, ExploreOutcome, WatchOutcome } from './worker.ts';
import CheckerWorker from './worker.ts?worker&inline';

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
      // Inlined in the bundle (a blob: worker), so the page also works from a static host or file://.
      this.worker = new CheckerWorker({ name: 'fdrace-checker' });
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

  derive(share: Share, onProgress: (done: number, total: number) => void): Promise<DeriveOutcome> {
    return this.race<DeriveOutcome>(this.remote().derive(share, Comlink.proxy(onProgress)) as Promise<DeriveOutcome>);
  }

  explore(
    source: string,
    variant: string,
    prefix: string,
    limits: { maxStates: number; timeoutSeconds: number },
    onProgress: (states: number, frontier: number) => void,
  ): Promise<ExploreOutcome> {
    return this.race<ExploreOutcome>(this.remote().explore(source, variant, prefix, limits, Comlink.proxy(onProgress)) as Promise<ExploreOutcome>);
  }

  watch(source: string, variant: string, path: string, expr: string): Promise<WatchOutcome> {
    return this.race<WatchOutcome>(this.remote().watch(source, variant, path, expr) as Promise<WatchOutcome>);
  }

  private race<T>(call: Promise<T>): Promise<T> {
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
