import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { latestCodeTo, uniquePhone } from "../../../test/support/codes.js";
import { bearer, registerUser, signIn, STRONG_PASSWORD, uniqueEmail, uniqueUsername } from "../../../test/support/factories.js";
import { hashOperations } from "../../../test/support/metrics.js";
import { databaseTargets } from "../../../test/support/test-database.js";
import { startTestGatehouse, type TestGatehouse } from "../../../test/support/test-gatehouse.js";

/** @see issue 15, items 3–5: counters on the resolved account, current-password checks, sprays, the hash queue. */
describe.each(databaseTargets())("password guessing on $name", (target) => {
  let t: TestGatehouse;
  beforeAll(async () => {
    t = await startTestGatehouse(target, {
      env: {
        GATEHOUSE_SIGN_IN_LIMIT_PER_ACCOUNT: "5",
        GATEHOUSE_SIGN_IN_LIMIT_PER_IP: "100000",
        GATEHOUSE_TRUSTED_PROXIES: "127.0.0.1",
        GATEHOUSE_SMS_LIMIT_PER_IP: "1000",
      },
    });
  });
  afterAll(() => t.close());

  let clientNumber = 0;
  /** Each test guesses from its own address, so the per-network budgets of one do not spill into another. */
  const newClient = () => `198.51.${Math.floor(++clientNumber / 250)}.${clientNumber % 250}`;
  const attempt = (login: string, password: string, ip: string) =>
    t.app.inject({ method: "POST", url: "/v1/sessions", payload: { login, password }, headers: { "x-forwarded-for": ip } });

  it("counts every spelling of a phone number against the one account", async () => {
    const phone = uniquePhone(); // +3361xxxxxxx
    await t.app.inject({ method: "POST", url: "/v1/sign-in-codes", payload: { type: "phone", value: phone } });
    await t.app.inject({
      method: "POST",
      url: "/v1/sign-in-codes/verify",
      payload: { type: "phone", value: phone, code: await latestCodeTo(t.gatehouse, phone) },
    });
    const digits = phone.slice(3); // the national number without its 0
    const spellings = [
      phone,
      `+33 ${digits}`,
      `+33 ${digits.slice(0, 1)} ${digits.slice(1, 3)} ${digits.slice(3, 5)} ${digits.slice(5, 7)} ${digits.slice(7)}`,
      `+33-${digits}`,
      `+33 (0)${digits}`,
      `+33.${digits}`,
    ];
    const ip = newClient();
    const statuses: number[] = [];
    for (const spelling of spellings) statuses.push((await attempt(spelling, "a wrong password guess", ip)).statusCode);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
  });

  it("does not read a non-ASCII letter into a username, so it cannot be a fresh spelling of one", async () => {
    const user = await registerUser(t.app, { username: `admin${uniqueUsername("x").slice(2)}` });
    const ip = newClient();
    const turkish = user.username!.replace("i", "İ");
    expect((await attempt(turkish, STRONG_PASSWORD, ip)).statusCode).toBe(401);
    for (let i = 0; i < 5; i++) await attempt(user.username!, "a wrong password guess", ip);
    expect((await attempt(user.username!.toUpperCase(), STRONG_PASSWORD, ip)).statusCode).toBe(429);
  });

  it("throttles guesses at the current password on the account's sign-in counter", async () => {
    for (const route of ["/v1/me/password", "/v1/me/email"]) {
      const user = await registerUser(t.app);
      const session = await signIn(t.app, user.email);
      const guess = (currentPassword: string) =>
        t.app.inject({
          method: "POST",
          url: route,
          headers: bearer(session.accessToken),
          payload:
            route === "/v1/me/password"
              ? { currentPassword, newPassword: "a brand new passphrase here", newPasswordConfirmation: "a brand new passphrase here" }
              : { email: uniqueEmail("new"), currentPassword },
        });
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) statuses.push((await guess(`wrong guess ${i} at it`)).statusCode);
      statuses.push((await guess(STRONG_PASSWORD)).statusCode);
      expect(statuses).toEqual([400, 400, 400, 400, 400, 429]);
      // The same counter guards sign-in: the guesses above used it up.
      expect((await attempt(user.email, STRONG_PASSWORD, newClient())).statusCode).toBe(429);
    }
  });

  it("refuses a network that failed on 20 accounts, before any hash, while successes cost it nothing", async () => {
    const sprayer = newClient();
    const victims = [];
    for (let i = 0; i < 21; i++) victims.push(await registerUser(t.app));
    // The sprayer's own account: its successes do not count.
    for (let i = 0; i < 3; i++) expect((await attempt(victims[20]!.email, STRONG_PASSWORD, sprayer)).statusCode).toBe(201);
    // Failing twice on one account counts it once.
    for (const victim of [victims[0]!, ...victims.slice(0, 20)]) expect((await attempt(victim.email, "Summer2026!Summer2026!", sprayer)).statusCode).toBe(401);
    const before = await hashOperations(t.gatehouse);
    const refused = await attempt(victims[20]!.email, STRONG_PASSWORD, sprayer);
    expect(refused.statusCode).toBe(429);
    expect(refused.json().error.code).toBe("rate_limited");
    expect(Number(refused.headers["retry-after"])).toBeGreaterThan(0);
    expect(await hashOperations(t.gatehouse)).toBe(before);
    // Another network is not affected, and the budget opens again after the window.
    expect((await attempt(victims[20]!.email, STRONG_PASSWORD, newClient())).statusCode).toBe(201);
    t.clock.advance(t.config.rateLimits.windowSeconds + 1);
    expect((await attempt(victims[20]!.email, STRONG_PASSWORD, sprayer)).statusCode).toBe(201);
  });

  it("counts every address of an IPv6 /64 as one network", async () => {
    const user = await registerUser(t.app);
    const statuses: number[] = [];
    for (let i = 1; i <= 21; i++)
      statuses.push((await attempt(uniqueEmail("ghost"), "a wrong password guess", `2001:db8:aa:bb::${i.toString(16)}`)).statusCode);
    expect(statuses.slice(0, 20).every((s) => s === 401)).toBe(true);
    expect(statuses[20]).toBe(429);
    expect((await attempt(user.email, STRONG_PASSWORD, "2001:db8:aa:bb:ffff::1")).statusCode).toBe(429);
    expect((await attempt(user.email, STRONG_PASSWORD, "2001:db8:aa:bc::1")).statusCode).toBe(201);
  });
});

describe.each(databaseTargets())("the hash queue on $name", (target) => {
  it("sheds a flood of unknown-account sign-ins with 503 and Retry-After instead of hashing them all", async () => {
    const t = await startTestGatehouse(target, {
      env: {
        GATEHOUSE_HASH_QUEUE_LIMIT: "4",
        GATEHOUSE_HASH_QUEUE_LIMIT_PER_IP: "1000",
        GATEHOUSE_SIGN_IN_LIMIT_PER_IP: "100000",
        GATEHOUSE_SIGN_IN_FAILED_ACCOUNTS_PER_IP: "100000",
      },
      // Real hashing cost, so the flood is still queued while it arrives.
      config: (config) => ({ ...config, passwords: { ...config.passwords, argon2: { memoryKib: 19456, iterations: 2, parallelism: 1 } } }),
    });
    try {
      const before = await hashOperations(t.gatehouse);
      const responses = await Promise.all(
        Array.from({ length: 150 }, () =>
          t.app.inject({ method: "POST", url: "/v1/sessions", payload: { login: uniqueEmail("ghost"), password: "any password at all" } }),
        ),
      );
      const busy = responses.filter((r) => r.statusCode === 503);
      expect(responses.every((r) => r.statusCode === 401 || r.statusCode === 503)).toBe(true);
      expect(busy.length).toBeGreaterThan(100);
      expect(busy[0]!.json().error.code).toBe("server_busy");
      expect(busy[0]!.headers["retry-after"]).toBe("1");
      expect((await hashOperations(t.gatehouse)) - before).toBe(150 - busy.length);
    } finally {
      await t.close();
    }
  });

  it("keeps one network from taking the whole queue", async () => {
    const t = await startTestGatehouse(target, {
      env: {
        GATEHOUSE_HASH_QUEUE_LIMIT: "100",
        GATEHOUSE_HASH_QUEUE_LIMIT_PER_IP: "3",
        GATEHOUSE_SIGN_IN_LIMIT_PER_IP: "100000",
        GATEHOUSE_SIGN_IN_FAILED_ACCOUNTS_PER_IP: "100000",
        GATEHOUSE_TRUSTED_PROXIES: "127.0.0.1",
      },
      config: (config) => ({ ...config, passwords: { ...config.passwords, argon2: { memoryKib: 19456, iterations: 2, parallelism: 1 } } }),
    });
    try {
      const user = await registerUser(t.app);
      const from = (ip: string, login: string, password: string) =>
        t.app.inject({ method: "POST", url: "/v1/sessions", payload: { login, password }, headers: { "x-forwarded-for": ip } });
      const flood = Array.from({ length: 30 }, () => from("203.0.113.66", uniqueEmail("ghost"), "any password at all"));
      const owner = from("192.0.2.10", user.email, STRONG_PASSWORD);
      const [ownerResponse, ...floodResponses] = await Promise.all([owner, ...flood]);
      expect(ownerResponse!.statusCode).toBe(201);
      // How many of the flood overlap depends on the database's latency; the exact bound is tested on the hasher itself.
      const busy = floodResponses.filter((r) => r.statusCode === 503);
      expect(busy.length).toBeGreaterThan(0);
      expect(busy.every((r) => r.json().error.code === "server_busy")).toBe(true);
    } finally {
      await t.close();
    }
  });
});

describe.each(databaseTargets())("the node-wide slow-down on $name", (target) => {
  it("answers failures late while most sign-ins fail, never successes, and publishes the ratio", async () => {
    const t = await startTestGatehouse(target, {
      env: { GATEHOUSE_SIGN_IN_SLOWDOWN_MS: "300", GATEHOUSE_SIGN_IN_LIMIT_PER_IP: "100000", GATEHOUSE_SIGN_IN_FAILED_ACCOUNTS_PER_IP: "100000" },
    });
    try {
      const user = await registerUser(t.app);
      const fail = () => t.app.inject({ method: "POST", url: "/v1/sessions", payload: { login: uniqueEmail("ghost"), password: "any password at all" } });
      for (let i = 0; i < 49; i++) await fail();
      const metrics = async () => (await t.gatehouse.metrics.registry.metrics()).match(/^gatehouse_sign_in_failure_ratio (\S+)$/m)?.[1];
      expect(await metrics()).toBe("1");
      const started = performance.now();
      expect((await fail()).statusCode).toBe(401);
      expect(performance.now() - started).toBeGreaterThanOrEqual(290);
      expect(await t.gatehouse.metrics.registry.getSingleMetricAsString("gatehouse_sign_in_slowed_total")).toMatch(/gatehouse_sign_in_slowed_total 1/);
      const success = await t.app.inject({ method: "POST", url: "/v1/sessions", payload: { login: user.email, password: STRONG_PASSWORD } });
      expect(success.statusCode).toBe(201);
      expect(await t.gatehouse.metrics.registry.getSingleMetricAsString("gatehouse_sign_in_slowed_total")).toMatch(/gatehouse_sign_in_slowed_total 1/);
      // A minute later the window has moved on.
      t.clock.advance(61);
      expect(await metrics()).toBe("0");
    } finally {
      await t.close();
    }
  });
});
