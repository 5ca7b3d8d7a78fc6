import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OTHER_STRONG_PASSWORD, STRONG_PASSWORD } from "../support/factories.js";
import { assertBuilt, freePort, processDatabaseTargets, startGatehouseProcess, type ProcessDatabaseTarget } from "../support/gatehouse-process.js";

/**
 * Issue 15, item 13: kill -9 the built server under mixed load (registrations, sign-ins, password
 * changes at production argon2 cost) and restart it on the same data. Every write it acknowledged
 * with a 2xx must be there: the user exists, the session refreshes, the new password works (and
 * the old one no longer does). Writes in flight at the kill may have happened or not, nothing else.
 */

const WORKERS = 8;
/** Kill once this many writes were acknowledged and some are still in flight. */
const KILL_AFTER_ACKS = 40;

interface Account {
  email: string;
  registered: boolean;
  /** "unknown": the change was sent and no answer came before the kill. */
  passwordChange: "none" | "unknown" | "acknowledged";
  /** Refresh tokens of the sessions the server acknowledged. */
  refreshTokens: string[];
}

describe.each(processDatabaseTargets())("SIGKILL under mixed load, on $name", (target) => {
  let dataDir: string;
  let database: Awaited<ReturnType<ProcessDatabaseTarget["create"]>>;
  let env: Record<string, string>;
  let base: string;
  let metricsBase: string;

  beforeAll(async () => {
    assertBuilt();
    dataDir = mkdtempSync(join(tmpdir(), "gatehouse-sigkill-"));
    database = await target.create();
    const [port, metricsPort] = [await freePort(), await freePort()];
    base = `http://127.0.0.1:${port}`;
    metricsBase = `http://127.0.0.1:${metricsPort}`;
    env = {
      PORT: String(port),
      GATEHOUSE_BASE_URL: base,
      GATEHOUSE_DATA_DIR: dataDir,
      DATABASE_URL: database.databaseUrl,
      GATEHOUSE_MASTER_KEY: randomBytes(32).toString("base64"),
      GATEHOUSE_METRICS_PORT: String(metricsPort),
      LOG_LEVEL: "warn",
      GATEHOUSE_REGISTER_LIMIT_PER_IP: "1000000",
      GATEHOUSE_SIGN_IN_LIMIT_PER_IP: "1000000",
      GATEHOUSE_SIGN_IN_LIMIT_PER_ACCOUNT: "1000",
    };
  });
  afterAll(async () => {
    await database?.dispose();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it("keeps every acknowledged registration, session and password change", { timeout: 180_000 }, async () => {
    const send = (path: string, body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${base}${path}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });

    const first = await startGatehouseProcess(env);
    const accounts: Account[] = [];
    let acknowledged = 0;
    let inFlight = 0;
    let killed = false;

    /** One request: its body when the server answered `expected` in full, null when the kill cut it short. */
    const step = async <T>(request: () => Promise<Response>, expected: number): Promise<T | null> => {
      inFlight++;
      try {
        const response = await request();
        const text = await response.text();
        if (response.status !== expected) throw new Error(`expected ${expected}, got ${response.status}: ${text}`);
        acknowledged++;
        return JSON.parse(text) as T;
      } catch (error) {
        if (killed) return null; // cut short by the kill: neither acknowledged nor refused
        throw error;
      } finally {
        inFlight--;
      }
    };

    const journey = async (account: Account) => {
      accounts.push(account);
      const login = { login: account.email, password: STRONG_PASSWORD };
      if (!(await step(() => send("/v1/users", { email: account.email, password: STRONG_PASSWORD, passwordConfirmation: STRONG_PASSWORD }), 201))) return;
      account.registered = true;
      const session = await step<{ accessToken: string; refreshToken: string }>(() => send("/v1/sessions", login), 201);
      if (!session) return;
      account.refreshTokens.push(session.refreshToken);
      account.passwordChange = "unknown";
      const change = { currentPassword: STRONG_PASSWORD, newPassword: OTHER_STRONG_PASSWORD, newPasswordConfirmation: OTHER_STRONG_PASSWORD };
      if (!(await step(() => send("/v1/me/password", change, { authorization: `Bearer ${session.accessToken}` }), 200))) return;
      account.passwordChange = "acknowledged";
      const second = await step<{ refreshToken: string }>(() => send("/v1/sessions", { login: account.email, password: OTHER_STRONG_PASSWORD }), 201);
      if (second) account.refreshTokens.push(second.refreshToken);
    };
    const worker = async (index: number) => {
      for (let round = 0; !killed; round++) {
        await journey({
          email: `kill.${index}.${round}.${randomBytes(3).toString("hex")}@example.com`,
          registered: false,
          passwordChange: "none",
          refreshTokens: [],
        });
      }
    };

    const load = Array.from({ length: WORKERS }, (_, index) => worker(index));
    const deadline = Date.now() + 60_000;
    while (!(acknowledged >= KILL_AFTER_ACKS && inFlight >= 2)) {
      if (Date.now() > deadline) throw new Error(`load never reached the kill point: ${acknowledged} acknowledged, ${inFlight} in flight`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    killed = true;
    const inFlightAtKill = inFlight;
    first.child.kill("SIGKILL");
    expect(await first.exited).toBe("SIGKILL");
    await Promise.all(load);

    const second = await startGatehouseProcess(env);
    try {
      const signIn = async (email: string, password: string) => (await send("/v1/sessions", { login: email, password })).status;
      let sessionsChecked = 0;
      for (const account of accounts.filter((a) => a.registered)) {
        if (account.passwordChange === "acknowledged") {
          expect(await signIn(account.email, OTHER_STRONG_PASSWORD), `${account.email}: new password`).toBe(201);
          expect(await signIn(account.email, STRONG_PASSWORD), `${account.email}: old password`).toBe(401);
        } else if (account.passwordChange === "unknown") {
          const statuses = [await signIn(account.email, OTHER_STRONG_PASSWORD), await signIn(account.email, STRONG_PASSWORD)];
          expect(statuses.sort(), `${account.email}: exactly one password works`).toEqual([201, 401]);
        } else {
          expect(await signIn(account.email, STRONG_PASSWORD), `${account.email}: registered`).toBe(201);
        }
        for (const refreshToken of account.refreshTokens) {
          const refreshed = await send("/v1/sessions/refresh", { refreshToken });
          expect(refreshed.status, `${account.email}: session refreshes`).toBe(200);
          sessionsChecked++;
        }
      }

      // The restarted process serves its metrics on the metrics listener, and not on the main port.
      const metrics = await fetch(`${metricsBase}/metrics`);
      expect(metrics.status).toBe(200);
      expect(await metrics.text()).toMatch(/^gatehouse_outbox_messages\{status="pending"\} \d+/m);
      expect((await fetch(`${base}/metrics`)).status).toBe(404);

      const registered = accounts.filter((a) => a.registered).length;
      const changed = accounts.filter((a) => a.passwordChange === "acknowledged").length;
      console.info(
        `[${target.name}] SIGKILL after ${acknowledged} acknowledged writes with ${inFlightAtKill} in flight; after restart: ` +
          `${registered} registrations, ${sessionsChecked} sessions, ${changed} password changes all there`,
      );
      expect(registered).toBeGreaterThan(0);
      expect(sessionsChecked).toBeGreaterThan(0);
      expect(changed).toBeGreaterThan(0);
    } finally {
      second.child.kill("SIGTERM");
      await second.exited;
    }
  });
});
