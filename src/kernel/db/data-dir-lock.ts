import { randomBytes } from "node:crypto";
import { linkSync, readFileSync, realpathSync, renameSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * One process per embedded data directory. PGlite is PostgreSQL in single-user mode: two processes
 * on one directory each believe they own it, and one silently overwrites what the other wrote (a
 * `gatehouse keys rotate` beside a running server reported success and lost the key). Every opener
 * takes this lock first: a file created exclusively in the directory, holding the owner's pid.
 * A lock left by a process that no longer exists (killed, crashed, power cut) is taken over.
 */
export class DataDirInUseError extends Error {
  override name = "DataDirInUseError";

  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(`the embedded database in ${dataDir} is in use by process ${pid}`);
  }
}

export interface DataDirLock {
  /** Removes the lock file, if it is still ours. */
  release(): void;
}

export const LOCK_FILE_NAME = "gatehouse.lock";

/** Lock paths held by this process: opening the same directory twice here is refused too. */
const heldHere = new Set<string>();

/** Takes the lock of `dataDir` (which must exist). Throws `DataDirInUseError` when a live process holds it. */
export function lockDataDir(dataDir: string): DataDirLock {
  const path = join(realpathSync(dataDir), LOCK_FILE_NAME);
  if (heldHere.has(path)) throw new DataDirInUseError(dataDir, process.pid);
  const mine = lockRecordOf(process.pid);
  // A few rounds: each lost race (a takeover or a release in between) sends us round again.
  for (let attempt = 0; attempt < 5; attempt++) {
    if (createExclusively(path, mine)) {
      heldHere.add(path);
      return { release: () => release(path, mine) };
    }
    const found = readOrNull(path);
    if (found === null) continue; // released since we looked
    const pid = holderOf(found);
    if (pid !== null) throw new DataDirInUseError(dataDir, pid);
    takeOverStale(path, found);
  }
  throw new Error(`could not lock ${path}: it keeps changing hands`);
}

/**
 * What the lock file of process `pid` holds: "pid\nstart time". The start time (Linux, /proc) tells
 * a live owner from a new process that reuses a dead owner's pid, as a container's pid 1 does at
 * every restart.
 */
export function lockRecordOf(pid: number): string {
  const started = startTimeOf(pid);
  return started === null ? `${pid}\n` : `${pid}\n${started}\n`;
}

/** Clock ticks after boot at which `pid` started (/proc/<pid>/stat field 22); null without /proc. */
function startTimeOf(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19] ?? null;
  } catch {
    return null;
  }
}

/** The pid of the live process the record names, or null when that process is gone. */
function holderOf(record: string): number | null {
  const [pidText = "", started] = record.split("\n");
  const pid = Number(pidText);
  if (!Number.isSafeInteger(pid) || pid <= 0) return null; // not a record we wrote
  if (pid === process.pid) return null; // a previous life of this pid: this process holds nothing here
  if (!isAlive(pid)) return null;
  const now = startTimeOf(pid);
  return started && now !== null && now !== started ? null : pid;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * The lock appears with its content or not at all: written to a private file, then hard-linked
 * into place, which fails when the name exists (link(2) is atomic, O_EXCL without the empty file).
 */
function createExclusively(path: string, content: string): boolean {
  const draft = `${path}.${process.pid}.${randomBytes(4).toString("hex")}`;
  writeFileSync(draft, content, { mode: 0o600 });
  try {
    linkSync(draft, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  } finally {
    unlinkSync(draft);
  }
}

/**
 * Moves the stale lock aside and checks that what moved is the record judged stale: another
 * process may have taken the lock over in between, and then its lock goes back into place.
 * (Three processes taking over one stale lock within the same microseconds could still both win;
 * a lock is only ever stale after a crash.)
 */
function takeOverStale(path: string, staleRecord: string): void {
  const aside = `${path}.stale.${process.pid}.${randomBytes(4).toString("hex")}`;
  try {
    renameSync(path, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
    throw error;
  }
  try {
    if (readFileSync(aside, "utf8") !== staleRecord) linkSync(aside, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  } finally {
    unlinkSync(aside);
  }
}

function release(path: string, mine: string): void {
  if (!heldHere.delete(path)) return;
  if (readOrNull(path) === mine) unlinkSync(path);
}

function readOrNull(path: string): string | null {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
}
