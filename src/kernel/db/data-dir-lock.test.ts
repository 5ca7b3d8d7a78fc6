import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DataDirInUseError, LOCK_FILE_NAME, lockDataDir, lockRecordOf } from "./data-dir-lock.js";
import { openDatabase } from "./database.js";

/** A process that only waits, to stand for another Gatehouse. */
async function idleProcess(): Promise<{ child: ChildProcess; exited: Promise<void> }> {
  const child = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000); process.stdout.write('up')"]);
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  await new Promise((resolve) => child.stdout!.once("data", resolve));
  return { child, exited };
}

/** @see issue #15, item 12: one process per embedded data directory. */
describe("the data directory lock", () => {
  let dir: string;
  const lockFile = () => join(dir, LOCK_FILE_NAME);
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "gatehouse-lock-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("holds this process's pid while held, and is gone once released", () => {
    const lock = lockDataDir(dir);
    expect(readFileSync(lockFile(), "utf8").split("\n")[0]).toBe(String(process.pid));
    lock.release();
    expect(existsSync(lockFile())).toBe(false);
    expect(readdirSync(dir)).toEqual([]); // no drafts left behind
    lockDataDir(dir).release();
  });

  it("refuses a directory this process already holds", () => {
    const lock = lockDataDir(dir);
    try {
      expect(() => lockDataDir(dir)).toThrow(new DataDirInUseError(dir, process.pid));
    } finally {
      lock.release();
    }
  });

  it("refuses a directory a live process holds, naming it", async () => {
    const other = await idleProcess();
    try {
      writeFileSync(lockFile(), lockRecordOf(other.child.pid!));
      expect(() => lockDataDir(dir)).toThrow(`the embedded database in ${dir} is in use by process ${other.child.pid}`);
      expect(readFileSync(lockFile(), "utf8")).toBe(lockRecordOf(other.child.pid!));
    } finally {
      other.child.kill("SIGKILL");
      await other.exited;
    }
  });

  it("takes over the lock of a process that was killed", async () => {
    const other = await idleProcess();
    writeFileSync(lockFile(), lockRecordOf(other.child.pid!));
    other.child.kill("SIGKILL");
    await other.exited;
    const lock = lockDataDir(dir);
    expect(readFileSync(lockFile(), "utf8")).toBe(lockRecordOf(process.pid));
    lock.release();
  });

  it("takes over a lock whose pid now belongs to a process started later, or to this process", async () => {
    const other = await idleProcess();
    try {
      // The record of an earlier owner with the same pid: same pid, another start time.
      writeFileSync(lockFile(), `${other.child.pid}\n1\n`);
      lockDataDir(dir).release();
      writeFileSync(lockFile(), `${process.pid}\n1\n`); // this pid in a previous container, say
      lockDataDir(dir).release();
      writeFileSync(lockFile(), "not a lock record");
      lockDataDir(dir).release();
    } finally {
      other.child.kill("SIGKILL");
      await other.exited;
    }
  });

  it("is taken by openDatabase on a directory and released by close", async () => {
    const first = await openDatabase({ url: null, dataDir: dir });
    try {
      await expect(openDatabase({ url: null, dataDir: dir })).rejects.toBeInstanceOf(DataDirInUseError);
    } finally {
      await first.close();
    }
    expect(existsSync(lockFile())).toBe(false);
    const again = await openDatabase({ url: null, dataDir: dir });
    await again.close();
  });
});
