// Dropping a reference on a struct eventpoll (ep->refcount, since 58c9b016e128 in v6.4): one for the epoll file,
// one per epitem. Where the drop happens relative to mutex_unlock(&ep->mtx) is decided HERE and only here:
// v6.4..v6.15 dropped it while ep->mtx was still held, so the task that freed the eventpoll could do so while the
// unlocking task still touched the mutex; 8c2e52ebbe88 (v6.16) drops it after the unlock (docs/model.md §F.12).

import { Toggle, Viol } from '../codes';
import { toggle } from '../layout';
import { violate } from '../frame';
import { epFree, epPut } from './epitem';

/** Since v6.16: the reference is dropped after mutex_unlock(&ep->mtx). */
export function putAfterUnlock(): bool {
  return toggle(Toggle.UnlockBeforePut);
}

/** __ep_remove(force)'s "dispose", decided under ep->mtx. Before v6.16: ep_refcount_dec_and_test(ep) right here;
 *  since: always true, the caller drops the epitem's reference after the unlock (disposeAfterUnlock). */
export function disposeUnderMutex(ep: i32): bool {
  return putAfterUnlock() ? true : epPut(ep);
}

/** After mutex_unlock: `if (dispose) ep_free(ep)` before v6.16, `if (dispose && ep_refcount_dec_and_test(ep))
 *  ep_free(ep)` since. For callers that unlock, drop and free in one step. */
export function freeAfterUnlock(ep: i32, dispose: bool): void {
  if (dispose && (!putAfterUnlock() || epPut(ep))) epFree(ep);
}

/** WARN_ON_ONCE(ep_refcount_dec_and_test(ep)): a drop that must not be the last, the caller still holds one. */
export function putNotLast(ep: i32): void {
  if (epPut(ep)) violate(Viol.EpRefcount, ep);
}
