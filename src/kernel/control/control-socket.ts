import { chmodSync, rmSync } from "node:fs";
import { connect, createServer, type Socket } from "node:net";
import { relative, resolve } from "node:path";

/**
 * The control socket of a server on the embedded database: a Unix socket in the data directory,
 * mode 0600, through which `gatehouse keys rotate` and `gatehouse migrate` ask the running server
 * to do what they cannot do themselves (the server holds the directory: data-dir-lock.ts).
 * Whoever can open it can read the master key beside it, so it gives nothing more away.
 *
 * One request per connection, one JSON line each way:
 *   → {"command":"keys.rotate","args":{"immediate":false}}
 *   ← {"ok":true,"pid":…,"result":{…}}  or  {"ok":false,"pid":…,"error":{"code":"…","message":"…"}}
 */
export type ControlCommand = (args: Record<string, unknown>) => Promise<Record<string, unknown>>;

/** `pid` is the server's, so the command line can say which process did the work. */
export type ControlAnswer = { pid: number } & ({ ok: true; result: Record<string, unknown> } | { ok: false; error: { code: string; message: string } });

/** A command's failure whose message is safe to show the operator (no secrets, no stack). */
export class ControlCommandError extends Error {
  override name = "ControlCommandError";

  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const CONTROL_SOCKET_NAME = "gatehouse.sock";
/** sun_path is 108 bytes on Linux, 104 on macOS, terminator included. */
const MAX_SOCKET_PATH_BYTES = 103;
const MAX_REQUEST_BYTES = 4096;
const REQUEST_TIMEOUT_MS = 10_000;

/** The shortest way to name the socket from here, or null when even that is too long for a Unix socket. */
export function controlSocketAddress(dataDir: string): string | null {
  const absolute = resolve(dataDir, CONTROL_SOCKET_NAME);
  const fromHere = relative(process.cwd(), absolute);
  const shortest = fromHere.length < absolute.length ? fromHere : absolute;
  return Buffer.byteLength(shortest) <= MAX_SOCKET_PATH_BYTES ? shortest : null;
}

export interface ControlServer {
  /** Stops answering and removes the socket file. */
  close(): Promise<void>;
}

/**
 * Listens on the data directory's control socket. The caller must hold the directory's lock: a
 * socket file left by a process that was killed is removed first.
 */
export async function listenForControl(
  dataDir: string,
  commands: Record<string, ControlCommand>,
  onUnexpectedError: (error: unknown, command: string) => void,
): Promise<ControlServer | null> {
  const address = controlSocketAddress(dataDir);
  if (!address) return null;
  rmSync(address, { force: true });
  const open = new Set<Socket>();
  const server = createServer((socket) => {
    open.add(socket);
    socket.on("close", () => open.delete(socket));
    socket.on("error", () => {}); // a client that goes away mid-answer
    // A client that connects and says nothing does not hold a connection open for ever.
    socket.setTimeout(REQUEST_TIMEOUT_MS, () => socket.destroy());
    let request = "";
    let answered = false;
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      if (answered) return;
      request += chunk;
      const newline = request.indexOf("\n");
      if (newline < 0 && Buffer.byteLength(request) <= MAX_REQUEST_BYTES) return;
      answered = true;
      socket.setTimeout(0); // the request is in: the command takes the time it needs
      if (newline < 0) return answer(socket, failure("request_too_large", "The request is too large."));
      void run(request.slice(0, newline)).then((reply) => answer(socket, reply));
    });
  });

  const run = async (line: string): Promise<ControlAnswer> => {
    let parsed: { command?: unknown; args?: unknown };
    try {
      parsed = JSON.parse(line) as typeof parsed;
    } catch {
      return failure("invalid_request", "The request is not a JSON line.");
    }
    const name = typeof parsed?.command === "string" ? parsed.command : "";
    const command = Object.hasOwn(commands, name) ? commands[name] : undefined;
    if (!command) return failure("unknown_command", `Unknown command "${name.slice(0, 40)}". Known: ${Object.keys(commands).join(", ")}.`);
    const args = parsed.args && typeof parsed.args === "object" && !Array.isArray(parsed.args) ? (parsed.args as Record<string, unknown>) : {};
    try {
      return { ok: true, pid: process.pid, result: await command(args) };
    } catch (error) {
      if (error instanceof ControlCommandError) return failure(error.code, error.message);
      onUnexpectedError(error, name);
      return failure("command_failed", "The command failed; the server's log has the details.");
    }
  };

  // Created owner-only: the umask applies to bind(2), which listen() performs before it returns.
  const previousUmask = process.umask(0o177);
  try {
    await new Promise<void>((resolveListen, reject) => {
      server.once("error", reject);
      server.listen(address, () => resolveListen());
    });
  } finally {
    process.umask(previousUmask);
  }
  chmodSync(address, 0o600);
  return {
    async close() {
      const closed = new Promise<void>((resolveClose) => server.close(() => resolveClose()));
      for (const socket of open) socket.destroy();
      await closed;
      rmSync(address, { force: true });
    },
  };
}

function failure(code: string, message: string): ControlAnswer {
  return { ok: false, pid: process.pid, error: { code, message } };
}

function answer(socket: Socket, reply: ControlAnswer): void {
  if (!socket.writable) return;
  socket.end(`${JSON.stringify(reply)}\n`);
}

/**
 * Sends one command to the server listening on the data directory's control socket. Resolves
 * null when none listens there (no socket, or one left by a process that is gone).
 */
export async function sendControlCommand(
  dataDir: string,
  command: string,
  args: Record<string, unknown> = {},
  timeoutMs = 30_000,
): Promise<ControlAnswer | null> {
  const address = controlSocketAddress(dataDir);
  if (!address) return null;
  return new Promise((resolveAnswer, reject) => {
    const socket = connect(address);
    let reply = "";
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server on ${dataDir} did not answer within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    socket.setEncoding("utf8");
    socket.on("connect", () => socket.write(`${JSON.stringify({ command, args })}\n`));
    socket.on("data", (chunk: string) => (reply += chunk));
    socket.on("end", () => {
      clearTimeout(timer);
      try {
        resolveAnswer(JSON.parse(reply) as ControlAnswer);
      } catch {
        reject(new Error(`the server on ${dataDir} sent an answer that is not JSON`));
      }
    });
    socket.on("error", (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (error.code === "ENOENT" || error.code === "ECONNREFUSED") resolveAnswer(null);
      else reject(error);
    });
  });
}
