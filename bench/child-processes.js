/**
 * Starting and stopping the processes of a benchmark run: Gatehouse, the baseline servers, the
 * load generator and one-shot helpers. Every child runs on the Node that runs the harness, logs to
 * a file in the run directory, and is stopped by its own pid.
 */
import { spawn } from "node:child_process";
import { createWriteStream, readFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

/** Spawns `node <args>`; output goes to `<logDir>/<name>.log`. */
export function startNode(name, args, { env = {}, logDir, execArgv = [], ipc = false } = {}) {
  const logPath = join(logDir, `${name}.log`);
  const log = createWriteStream(logPath, { flags: "a" });
  const child = spawn(process.execPath, [...execArgv, ...args], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe", ...(ipc ? ["ipc"] : [])],
  });
  child.stdout.pipe(log, { end: false });
  child.stderr.pipe(log, { end: false });
  const exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  return { name, child, logPath, exited, logTail: () => tail(logPath) };
}

/** Runs `node <args>` to completion and returns its stdout parsed as JSON (the last line). */
export async function runNodeForJson(name, args, options) {
  const handle = startNode(name, args, options);
  let stdout = "";
  handle.child.stdout.on("data", (chunk) => (stdout += chunk));
  const { code, signal } = await handle.exited;
  if (code !== 0) throw new Error(`${name} exited with ${code ?? signal}\n${handle.logTail()}`);
  const lines = stdout.trim().split("\n");
  return JSON.parse(lines[lines.length - 1]);
}

/** Polls `url` until it answers 200, or fails with the child's log when the child dies first. */
export async function waitForHttp(handle, url, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  let dead = false;
  handle.exited.then(() => (dead = true));
  while (Date.now() < deadline) {
    if (dead) throw new Error(`${handle.name} exited while starting\n${handle.logTail()}`);
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`${handle.name} did not answer ${url} within ${timeoutMs} ms\n${handle.logTail()}`);
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
export async function stopProcess(handle, graceMs = 15_000) {
  if (handle.child.exitCode !== null || handle.child.signalCode !== null) return handle.exited;
  handle.child.kill("SIGTERM");
  const timer = setTimeout(() => handle.child.kill("SIGKILL"), graceMs);
  const result = await handle.exited;
  clearTimeout(timer);
  return result;
}

function tail(path, lines = 40) {
  try {
    return readFileSync(path, "utf8").trim().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

/** CPU time (ms) a process has used so far, all threads; null where /proc is not available. */
function cpuMsOf(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) * 10; // utime + stime, in 10 ms clock ticks
  } catch {
    return null;
  }
}

/**
 * Waits until a server has finished the work the load generator left in flight when it stopped
 * (up to 50 requests: for sign-in, 50 password hashes, a second or more of CPU), so that it is not
 * counted in the next measurement: two consecutive 200 ms windows with at most one clock tick of
 * CPU. Without /proc, waits a fixed 3 s.
 */
export async function waitForIdle(pid, timeoutMs = 60_000) {
  if (cpuMsOf(pid) === null) return sleep(3000);
  const deadline = Date.now() + timeoutMs;
  let quiet = 0;
  let last = cpuMsOf(pid);
  while (quiet < 2 && Date.now() < deadline) {
    await sleep(200);
    const now = cpuMsOf(pid);
    if (now === null) return;
    quiet = now - last <= 10 ? quiet + 1 : 0;
    last = now;
  }
}

/** Resident memory of a process, in MB: now (VmRSS) and its peak so far (VmHWM); null without /proc. */
export function memoryOf(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kib = (field) => Number(new RegExp(`^${field}:\\s+(\\d+)`, "m").exec(status)?.[1] ?? NaN);
    return { rssMb: kib("VmRSS") / 1024, peakMb: kib("VmHWM") / 1024 };
  } catch {
    return null;
  }
}

/**
 * Samples a process's RSS every `intervalMs` until `stop()`, which returns the mean and the maximum
 * of the samples (MB), or null without /proc. VmHWM is not used for the peak: it holds the start-up
 * peak for the rest of the process's life.
 */
export function sampleMemory(pid, intervalMs = 100) {
  const samples = [];
  const take = () => {
    const memory = memoryOf(pid);
    if (memory) samples.push(memory.rssMb);
  };
  take();
  const timer = setInterval(take, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      take();
      if (samples.length === 0) return null;
      return { meanMb: samples.reduce((a, b) => a + b, 0) / samples.length, maxMb: Math.max(...samples), samples: samples.length };
    },
  };
}
