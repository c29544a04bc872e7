// errno values (include/uapi/asm-generic/errno-base.h, errno.h) returned by the modelled syscalls.
export const EPERM: i32 = 1;
export const ENOENT: i32 = 2;
export const EBADF: i32 = 9;
export const ENOMEM: i32 = 12;
export const EBUSY: i32 = 16;
export const EEXIST: i32 = 17;
export const EINVAL: i32 = 22;
export const EMFILE: i32 = 24;
export const ENOSPC: i32 = 28;
export const ELOOP: i32 = 40;
export const EINPROGRESS: i32 = 115;
export const ENXIO: i32 = 6;
