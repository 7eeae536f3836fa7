import {
  closeSync,
  constants,
  fstatSync,
  ftruncateSync,
  openSync,
  readFileSync,
  rmdirSync,
  statSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import path from "node:path";
import { tryLock } from "fs-native-extensions";
import { privateDirectory } from "./embedded-postgres";

/** Who holds an embedded store, as its lock file says (written by the holder only). */
export interface StoreOwner {
  pid: number;
  role: "gateway" | "cli";
  startedAt: string;
  /** set once the owner serves the store to others (a gateway, after its migrations) */
  url?: string;
  storeId?: string;
}

export interface StoreLock {
  /** replaces what the lock file says about its holder */
  record(owner: StoreOwner): void;
  /** removes the lock file and its directory (if empty), then lets go of the lock */
  release(): void;
}

/**
 * The exclusive lock on an embedded store's directory: an OS-level lock (fcntl open-file-
 * description lock on Linux, flock on macOS) on `<runDir>/lock`, held for the owner's whole
 * life and released by the kernel when the process ends, however it ends (kill -9 included).
 * The lock file is removed on a clean release; since another process may have opened the old
 * file meanwhile, a lock is only ours once the file we locked is still the one at the path.
 * Returns null when another process holds it.
 */
export function tryLockStore(runDir: string): StoreLock | null {
  const file = lockFile(runDir);
  for (let attempt = 0; attempt < 10; attempt++) {
    privateDirectory(runDir);
    let fd: number;
    try {
      fd = openSync(file, constants.O_RDWR | constants.O_CREAT, 0o600);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") continue; // the directory went away with a release
      throw error;
    }
    if (!tryLock(fd)) {
      closeSync(fd);
      return null;
    }
    if (!sameFile(fd, file)) {
      closeSync(fd); // we locked a file its last owner removed: try the one at the path now
      continue;
    }
    let held = true;
    return {
      record(owner) {
        if (!held) return;
        ftruncateSync(fd, 0);
        writeSync(fd, JSON.stringify(owner), 0);
      },
      release() {
        if (!held) return;
        held = false;
        try {
          unlinkSync(file); // while still locked: nobody can take a lock on it after this
        } finally {
          closeSync(fd);
        }
        try {
          rmdirSync(runDir);
        } catch {
          // not empty (a crashed predecessor's leftovers) or already gone
        }
      },
    };
  }
  throw new Error(`could not lock ${file}: it keeps being replaced`);
}

/** What the lock file says about its holder; null when there is none or it is being written. */
export function readOwner(runDir: string): StoreOwner | null {
  try {
    const owner = JSON.parse(readFileSync(lockFile(runDir), "utf8")) as StoreOwner;
    return typeof owner?.pid === "number" && (owner.role === "gateway" || owner.role === "cli") ? owner : null;
  } catch {
    return null;
  }
}

/** Is a process with this id alive (ours or another user's)? */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

const lockFile = (runDir: string) => path.join(runDir, "lock");

function sameFile(fd: number, file: string): boolean {
  try {
    const locked = fstatSync(fd);
    const current = statSync(file);
    return locked.ino === current.ino && locked.dev === current.dev;
  } catch {
    return false;
  }
}
