// Fixes and changes of fs/file.c, fs/file_table.c and the seccomp addfd path (Toggle bits 1<<23 .. 1<<30), each
// with its history scenario.

import type { ToggleInfo } from './toggle-info.ts';

export const FILE_FIXES: ToggleInfo[] = [];
