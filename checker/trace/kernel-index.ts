// Kernel source facts the step line ranges are checked against: for a release tag, file and function, the first
// and last line of the function's definition in torvalds/linux at that tag, as read from the source. Tests run
// without network, so the facts are committed here; a range in sources.ts that falls outside its function here is
// rejected (the step then links at function level).

export type KernelIndex = Record<string, Record<string, Record<string, [number, number]>>>;

export const KERNEL_INDEX: KernelIndex = {};
