// Fixes and changes of fs/eventpoll.c (Toggle bits 1<<14 .. 1<<22), each with its history scenario.

import type { ToggleInfo } from './toggle-info.ts';

export const EPOLL_FIXES: ToggleInfo[] = [];
