import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeProtectedHeader } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { STRONG_PASSWORD } from "../support/factories.js";

const MAIN = join(import.meta.dirname, "../../dist/main.js");

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function run(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [MAIN, ...args], { env: { PATH: process.env.PATH!, ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

async function startServer(env: Record<string, string>): Promise<{ child: ChildProcess; exited: Promise<number | null>; banner: string }> {
  const child = spawn(process.execPath, [MAIN, "serve"], { env: { PATH: process.env.PATH!, ...env } });
  const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
  const banner = await new Promise<string>((resolve, reject) => {
    let output = "";
    const timer = setTimeout(() => reject(new Error(`server did not start: ${output}`)), 30_000);
    child.stdout!.on("data", (chunk) => {
      output += chunk;
      // The banner is written in one piece, after "Gatehouse is running".
      if (output.includes("Getting started:")) {
        clearTimeout(timer);
        resolve(output);
      }
    });
    child.stderr!.on("data", (chunk) => (output += chunk));
    child.on("exit", () => reject(new Error(`server exited: ${output}`)));
  });
  return { child, exited, banner };
}

describe("the gatehouse command", () => {
  let dataDir: string;
  let env: Record<string, string>;
  let base: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "gatehouse-cli-"));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    env = {
      PORT: String(port),
      GATEHOUSE_DATA_DIR: dataDir,
      GATEHOUSE_BASE_URL: base,
      LOG_LEVEL: "warn",
      GATEHOUSE_SIGN_IN_LIMIT_PER_IP: "1000",
      GATEHOUSE_SIGN_IN_LIMIT_PER_ACCOUNT: "1000",
      GATEHOUSE_HASH_QUEUE_LIMIT_PER_IP: "100",
    };
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
  const postJson = (path: string, body: unknown) =>
    fetch(`${base}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

  it("refuses invalid configuration with a message naming the variable", async () => {
    const result = await run(["serve"], { ...env, PORT: "eighty" });
    expect(result.code).toBe(78);
    expect(result.stderr).toContain("PORT must be");
  });

  it("serves on the embedded database, finishes in-flight requests on SIGTERM, and keeps data across restarts", async () => {
    const first = await startServer(env);
    // Zero set-up: the master key was generated into the data directory, private to its owner.
    expect(statSync(join(dataDir, "master.key")).mode & 0o777).toBe(0o600);
    const post = (path: string, body: unknown) =>
      fetch(`${base}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    const email = `cli.${randomBytes(4).toString("hex")}@example.com`;
    expect((await post("/v1/users", { email, password: STRONG_PASSWORD, passwordConfirmation: STRONG_PASSWORD })).status).toBe(201);

    // Sign-ins hash at production parameters, so these are still running when SIGTERM arrives.
    const inFlight = Array.from({ length: 12 }, () => post("/v1/sessions", { login: email, password: STRONG_PASSWORD }).then((r) => r.status));
    await new Promise((resolve) => setTimeout(resolve, 40));
    first.child.kill("SIGTERM");
    const statuses = await Promise.all(inFlight);
    expect(statuses.every((s) => s === 201)).toBe(true);
    expect(await first.exited).toBe(0);

    const second = await startServer(env);
    try {
      expect((await post("/v1/sessions", { login: email, password: STRONG_PASSWORD })).status).toBe(201);
    } finally {
      second.child.kill("SIGTERM");
      await second.exited;
    }
  });

  it("applies migrations and rotates signing keys on demand", async () => {
    const migrate = await run(["migrate"], env);
    expect(migrate.code).toBe(0);
    expect(migrate.stdout).toContain("Migrations applied");
    const rotate = await run(["keys", "rotate"], env);
    expect(rotate.code).toBe(0);
    expect(rotate.stdout).toMatch(/New signing key \S+ is published at \/.well-known\/jwks.json and signs from \S+/);
    const server = await startServer(env);
    try {
      const jwks = (await (await fetch(`${base}/.well-known/jwks.json`)).json()) as { keys: unknown[] };
      expect(jwks.keys).toHaveLength(2);
    } finally {
      server.child.kill("SIGTERM");
      await server.exited;
    }
  });

  it("says in its banner where the development mailbox is, or why there is none, and serves a landing page", async () => {
    const local = await startServer(env);
    try {
      expect(local.banner).toContain(`Development mailbox: ${base}/dev/mailbox (no SMTP_URL, and Gatehouse is only reachable from this machine)`);
      expect((await fetch(`${base}/dev/mailbox`)).status).toBe(200);
      const landing = await fetch(`${base}/`);
      expect(landing.headers.get("content-type")).toContain("text/html");
      expect(await landing.text()).toContain('href="/dev/mailbox"');
    } finally {
      local.child.kill("SIGTERM");
      await local.exited;
    }
    // Same listening address, but links built for a public URL: strangers would follow them there.
    const exposed = await startServer({ ...env, GATEHOUSE_BASE_URL: "https://id.example.com" });
    try {
      expect(exposed.banner).toContain("Development mailbox: none (GATEHOUSE_BASE_URL is not a loopback address");
      expect((await fetch(`${base}/dev/mailbox`)).status).toBe(404);
      expect((await fetch(`${base}/dev/mailbox/messages`)).status).toBe(404);
    } finally {
      exposed.child.kill("SIGTERM");
      await exposed.exited;
    }
    const refused = await run(["serve"], {
      ...env,
      NODE_ENV: "production",
      GATEHOUSE_MASTER_KEY: Buffer.alloc(32, 1).toString("base64"),
      GATEHOUSE_DEV_MAILBOX: "true",
    });
    expect(refused.code).toBe(78);
    expect(refused.stderr).toContain("GATEHOUSE_DEV_MAILBOX=true is refused when NODE_ENV=production");
  });

  it("gives up on a database that never answers, after the connect timeout, naming the server @see #15", async () => {
    // Accepts TCP connections and never says a word, like a server behind a black-holing firewall.
    const silent = createServer((socket) => socket.on("error", () => {}));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const { port } = silent.address() as { port: number };
    try {
      const started = performance.now();
      const result = await run(["serve"], {
        ...env,
        DATABASE_URL: `postgres://gatehouse:not-for-logs@127.0.0.1:${port}/gatehouse`,
        GATEHOUSE_DATABASE_CONNECT_TIMEOUT_MS: "500",
      });
      expect(result.code).toBe(69);
      expect(result.stderr).toContain(`cannot connect to PostgreSQL at 127.0.0.1:${port}/gatehouse`);
      expect(result.stderr).not.toContain("not-for-logs");
      expect(performance.now() - started).toBeLessThan(15_000); // the point is only that it does not hang
    } finally {
      silent.close();
    }
  });

  /** @see issue #15, item 12 (a): `keys rotate` beside a running server used to report success and lose the key. */
  it("rotates through the running server, which publishes the new key at once and, with --now, signs with it", async () => {
    const server = await startServer(env);
    const pid = server.child.pid!;
    try {
      expect(statSync(join(dataDir, "gatehouse.sock")).mode & 0o777).toBe(0o600);
      const email = `rotate.${randomBytes(4).toString("hex")}@example.com`;
      expect((await postJson("/v1/users", { email, password: STRONG_PASSWORD, passwordConfirmation: STRONG_PASSWORD })).status).toBe(201);
      const signIn = async () =>
        ((await (await postJson("/v1/sessions", { login: email, password: STRONG_PASSWORD })).json()) as { accessToken: string }).accessToken;
      const publishedKids = async () =>
        ((await (await fetch(`${base}/.well-known/jwks.json`)).json()) as { keys: Array<{ kid: string }> }).keys.map((k) => k.kid);
      const first = await signIn();

      const scheduled = await run(["keys", "rotate"], env);
      expect(scheduled.code).toBe(0);
      expect(scheduled.stdout).toContain(`Rotated by the running server, process ${pid}.`);
      const scheduledKid = /New signing key (\S+)/.exec(scheduled.stdout)![1]!;
      expect(await publishedKids()).toContain(scheduledKid); // published at once by the server itself
      expect(decodeProtectedHeader(await signIn()).kid).toBe(decodeProtectedHeader(first).kid); // not signing yet

      const immediate = await run(["keys", "rotate", "--now"], env);
      expect(immediate.code).toBe(0);
      const immediateKid = /New signing key (\S+) signs from now on/.exec(immediate.stdout)![1]!;
      expect(immediate.stdout).toContain("Withdrawn:");
      expect(decodeProtectedHeader(await signIn()).kid).toBe(immediateKid);
      expect(await publishedKids()).toEqual([immediateKid]);
      expect((await fetch(`${base}/v1/me`, { headers: { authorization: `Bearer ${first}` } })).status).toBe(401);

      const migrate = await run(["migrate"], env);
      expect(migrate.code).toBe(0);
      expect(migrate.stdout).toContain(`Migrations already applied by the running server (process ${pid}).`);
      expect((await run(["keys", "rotate", "--later"], env)).code).toBe(2);

      server.child.kill("SIGTERM");
      expect(await server.exited).toBe(0);
      expect(existsSync(join(dataDir, "gatehouse.sock"))).toBe(false);
      expect(existsSync(join(dataDir, "gatehouse.lock"))).toBe(false);
      // Nothing was lost: a restarted server still signs with the key the command line made.
      const again = await startServer(env);
      try {
        expect(await publishedKids()).toEqual([immediateKid]);
        expect(decodeProtectedHeader(await signIn()).kid).toBe(immediateKid);
      } finally {
        again.child.kill("SIGTERM");
        await again.exited;
      }
    } finally {
      server.child.kill("SIGTERM");
      await server.exited;
    }
  });

  it("refuses a second server on the same embedded database, naming the process that has it", async () => {
    const first = await startServer(env);
    try {
      const second = await run(["serve"], { ...env, PORT: String(await freePort()) });
      expect(second.code).toBe(75);
      expect(second.stderr).toBe(`gatehouse: the embedded database in ${dataDir} is in use by process ${first.child.pid}\n`);
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
    } finally {
      first.child.kill("SIGTERM");
      await first.exited;
    }
  });

  it("takes over the lock of a server that was killed", async () => {
    const killed = await startServer(env);
    killed.child.kill("SIGKILL");
    await killed.exited;
    expect(readFileSync(join(dataDir, "gatehouse.lock"), "utf8").split("\n")[0]).toBe(String(killed.child.pid));
    const next = await startServer(env);
    try {
      expect((await fetch(`${base}/readyz`)).status).toBe(200);
      expect(readFileSync(join(dataDir, "gatehouse.lock"), "utf8").split("\n")[0]).toBe(String(next.child.pid));
    } finally {
      next.child.kill("SIGTERM");
      await next.exited;
    }
  });

  /**
   * @see issue #15, item 17: idle RSS was 500 MB on the embedded database. The bound is generous
   * (figures in docs/benchmarks.md); it guards against losing the memory settings, not a few MB.
   */
  it.runIf(existsSync("/proc/self/status"))("runs the server with its memory settings and within its memory budget at rest", async () => {
    const memoryOf = (pid: number) => Number(/^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]) / 1024;
    const flagsOf = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    const lean = await startServer(env);
    try {
      expect(flagsOf(lean.child.pid!)).toEqual(expect.arrayContaining(["--memory-saver-mode", "--liftoff-only"]));
      await new Promise((resolve) => setTimeout(resolve, 3000));
      expect(memoryOf(lean.child.pid!)).toBeLessThan(300);
    } finally {
      lean.child.kill("SIGTERM");
      await lean.exited;
    }
    const defaults = await startServer({ ...env, GATEHOUSE_MEMORY_SAVER: "false" });
    try {
      expect(flagsOf(defaults.child.pid!)).not.toContain("--memory-saver-mode");
    } finally {
      defaults.child.kill("SIGTERM");
      await defaults.exited;
    }
  });

  /** @see issue 9, item 4: the master key is rotated by re-sealing, and the data outlives the old key. */
  it("rotates the master key: re-seals with the new one, after which the old one is no longer needed", async () => {
    const oldKey = readFileSync(join(dataDir, "master.key"), "utf8").trim();
    const newKey = randomBytes(32).toString("base64");
    const rotated = await run(["keys", "rotate-master"], { ...env, GATEHOUSE_MASTER_KEY: newKey, GATEHOUSE_RETIRED_MASTER_KEYS: oldKey });
    expect(rotated.code).toBe(0);
    expect(rotated.stdout).toMatch(/^Re-sealed [1-9]\d* signing key\(s\) and \d+ queued message\(s\) under master key \S+\./);
    const server = await startServer({ ...env, GATEHOUSE_MASTER_KEY: newKey });
    try {
      const email = `master.${randomBytes(4).toString("hex")}@example.com`;
      expect((await postJson("/v1/users", { email, password: STRONG_PASSWORD, passwordConfirmation: STRONG_PASSWORD })).status).toBe(201);
      expect((await postJson("/v1/sessions", { login: email, password: STRONG_PASSWORD })).status).toBe(201);
    } finally {
      server.child.kill("SIGTERM");
      await server.exited;
    }
  });

  it("prints usage for unknown commands", async () => {
    const result = await run(["frobnicate"], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("Usage: gatehouse");
  });
});
