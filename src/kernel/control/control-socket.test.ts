import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CONTROL_SOCKET_NAME, ControlCommandError, listenForControl, sendControlCommand, type ControlServer } from "./control-socket.js";

/** Writes one raw line to the socket and returns the raw answer. */
function rawRequest(path: string, line: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(path, () => socket.write(line));
    let answer = "";
    socket.setEncoding("utf8").on("data", (chunk: string) => (answer += chunk));
    socket.on("end", () => resolve(answer)).on("error", reject);
  });
}

describe("the control socket", () => {
  let dir: string;
  let server: ControlServer | null = null;
  const unexpected: Array<{ error: unknown; command: string }> = [];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "gatehouse-control-"));
    unexpected.length = 0;
  });
  afterEach(async () => {
    await server?.close();
    server = null;
    rmSync(dir, { recursive: true, force: true });
  });
  const listen = async () => {
    server = await listenForControl(
      dir,
      {
        async echo(args) {
          return { echoed: args };
        },
        async refuse() {
          throw new ControlCommandError("not_now", "Not now.");
        },
        async crash() {
          throw new Error("secret detail that stays in the log");
        },
      },
      (error, command) => unexpected.push({ error, command }),
    );
    expect(server).not.toBeNull();
  };

  it("listens owner-only in the data directory, replacing a socket file left by a killed server, and removes it on close", async () => {
    writeFileSync(join(dir, CONTROL_SOCKET_NAME), "left behind");
    await listen();
    expect(statSync(join(dir, CONTROL_SOCKET_NAME)).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, CONTROL_SOCKET_NAME)).isSocket()).toBe(true);
    await server!.close();
    server = null;
    expect(existsSync(join(dir, CONTROL_SOCKET_NAME))).toBe(false);
  });

  it("answers a command with its result and the server's pid", async () => {
    await listen();
    expect(await sendControlCommand(dir, "echo", { n: 1 })).toEqual({ ok: true, pid: process.pid, result: { echoed: { n: 1 } } });
  });

  it("answers unknown commands, bad requests and failures with a code, never with a stack or a private detail", async () => {
    await listen();
    expect(await sendControlCommand(dir, "__proto__")).toMatchObject({ ok: false, error: { code: "unknown_command" } });
    expect(await sendControlCommand(dir, "refuse")).toEqual({ ok: false, pid: process.pid, error: { code: "not_now", message: "Not now." } });
    const crashed = await sendControlCommand(dir, "crash");
    expect(crashed).toMatchObject({ ok: false, error: { code: "command_failed" } });
    expect(JSON.stringify(crashed)).not.toContain("secret detail");
    expect(unexpected.map((u) => u.command)).toEqual(["crash"]);
    const path = join(dir, CONTROL_SOCKET_NAME);
    expect(JSON.parse(await rawRequest(path, "{not json\n"))).toMatchObject({ ok: false, error: { code: "invalid_request" } });
    expect(JSON.parse(await rawRequest(path, `${"x".repeat(5000)}`))).toMatchObject({ ok: false, error: { code: "request_too_large" } });
  });

  it("finds nobody when no server listens, or only a socket file is left", async () => {
    expect(await sendControlCommand(dir, "echo")).toBeNull();
    writeFileSync(join(dir, CONTROL_SOCKET_NAME), ""); // what a killed server leaves: a name nobody answers at
    expect(await sendControlCommand(dir, "echo")).toBeNull();
  });
});
