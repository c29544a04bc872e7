// errno values returned by the modelled syscalls (numbers: model/abi.ts Errno).
import { Errno } from './abi';
export const EPERM: i32 = Errno.EPERM;
export const ENOENT: i32 = Errno.ENOENT;
export const EBADF: i32 = Errno.EBADF;
export const ENOMEM: i32 = Errno.ENOMEM;
export const EBUSY: i32 = Errno.EBUSY;
export const EEXIST: i32 = Errno.EEXIST;
export const EINVAL: i32 = Errno.EINVAL;
export const EMFILE: i32 = Errno.EMFILE;
export const ENOSPC: i32 = Errno.ENOSPC;
export const ELOOP: i32 = Errno.ELOOP;
export const EINPROGRESS: i32 = Errno.EINPROGRESS;
export const ENXIO: i32 = Errno.ENXIO;
