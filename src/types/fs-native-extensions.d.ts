/** The part of fs-native-extensions (OS-level file locks, prebuilt; no types published) we use. */
declare module "fs-native-extensions" {
  /** An exclusive (or with `shared`, a shared) lock on the whole file; false if another holds one. */
  export function tryLock(fd: number, options?: { shared?: boolean }): boolean;
  export function unlock(fd: number): void;
}
