/**
 * @module The upload's lock in the store, which holds across every process sharing it (the
 * in-process locks cannot see a request another process serves): chunk writers share it;
 * `complete`, abort and expiry hold it alone.
 */
export const uploadLockOf = (id: string): string => `upload:${id}`
