import { describe, expect, it } from "vitest";
import { isLoopbackHost } from "./dev-mailbox.js";
import { ConfigError, loadConfig } from "./load-config.js";

describe("loadConfig", () => {
  it("has working defaults for a local start", () => {
    const config = loadConfig({});
    expect(config.http).toMatchObject({ port: 3000, host: "127.0.0.1", baseUrl: "http://localhost:3000", trustedProxies: [] });
    expect(config.database).toEqual({
      url: null,
      dataDir: "./data",
      cacheMaxEntries: 100_000,
      connectTimeoutMs: 5000,
      statementTimeoutMs: 10_000,
      heartbeat: { intervalMs: 2000, timeoutMs: 5000 },
      pgliteSharedBuffersMb: 16,
    });
    expect(config.metrics).toEqual({ port: null, host: "127.0.0.1", token: null });
    expect(config.runtime).toEqual({ memorySaver: true });
    expect(config.tokens).toMatchObject({
      accessTokenTtlSeconds: 300,
      jwksMaxAgeSeconds: 300,
      refreshReuseIntervalSeconds: 0,
      signInTokenTtlSeconds: 60,
      passwordResetTtlSeconds: 3600,
    });
    expect(config.tokens.issuer).toBe("http://localhost:3000");
    // OWASP lifetimes: magic links 10 minutes, reset links an hour, codes 10 minutes.
    expect(config.passwordless).toMatchObject({
      magicLinkTtlSeconds: 600,
      codeTtlSeconds: 600,
      codeMaxAttempts: 5,
      codeLockoutSeconds: 3600,
      codeLockoutMaxSeconds: 86_400,
    });
    expect(config.passwords).toEqual({
      minLength: 15,
      argon2: { memoryKib: 19456, iterations: 2, parallelism: 1 },
      hashQueue: { limit: 32, limitPerNetwork: 8 },
    });
    expect(config.mail.devMailbox).toBe(true);
    expect(config.compat.accesspassPrefix).toBe("/accesspass");
    expect(Object.isFrozen(config.tokens)).toBe(true);
  });

  it("reads every kind of value", () => {
    const config = loadConfig({
      PORT: "8080",
      GATEHOUSE_BASE_URL: "https://id.example.com/",
      GATEHOUSE_TRUSTED_PROXIES: "10.0.0.0/8, 192.168.1.1",
      GATEHOUSE_REQUIRE_EMAIL_CONFIRMATION: "yes",
      DATABASE_URL: "postgres://u@db:5432/gatehouse",
      GATEHOUSE_ACCESSPASS_PREFIX: "/",
    });
    expect(config.http).toMatchObject({ port: 8080, baseUrl: "https://id.example.com", trustedProxies: ["10.0.0.0/8", "192.168.1.1"] });
    expect(config.accounts.requireEmailConfirmation).toBe(true);
    expect(config.database.url).toBe("postgres://u@db:5432/gatehouse");
    expect(config.compat.accesspassPrefix).toBe("/");
  });

  it("fails fast, naming every invalid variable", () => {
    const load = () => loadConfig({ PORT: "eighty", GATEHOUSE_PASSWORD_MIN_LENGTH: "6", SMTP_URL: "http://mail", GATEHOUSE_MASTER_KEY: "short" });
    expect(load).toThrow(ConfigError);
    try {
      load();
    } catch (error) {
      const message = (error as Error).message;
      for (const name of ["PORT", "GATEHOUSE_PASSWORD_MIN_LENGTH", "SMTP_URL", "GATEHOUSE_MASTER_KEY"]) expect(message).toContain(name);
    }
  });

  it("never lets the password minimum drop below 8", () => {
    expect(() => loadConfig({ GATEHOUSE_PASSWORD_MIN_LENGTH: "7" })).toThrow(/GATEHOUSE_PASSWORD_MIN_LENGTH/);
    expect(loadConfig({ GATEHOUSE_PASSWORD_MIN_LENGTH: "8" }).passwords.minLength).toBe(8);
  });

  it("refuses a heartbeat timeout that a healthy heartbeat could miss, and a metrics port equal to the main one", () => {
    expect(() => loadConfig({ GATEHOUSE_CACHE_HEARTBEAT_INTERVAL_MS: "2000", GATEHOUSE_CACHE_HEARTBEAT_TIMEOUT_MS: "2000" })).toThrow(
      /GATEHOUSE_CACHE_HEARTBEAT_TIMEOUT_MS must be greater/,
    );
    expect(() => loadConfig({ PORT: "9100", GATEHOUSE_METRICS_PORT: "9100" })).toThrow(/GATEHOUSE_METRICS_PORT must differ from PORT/);
    expect(() => loadConfig({ GATEHOUSE_METRICS_TOKEN: "too short" })).toThrow(/GATEHOUSE_METRICS_TOKEN must be at least 32 characters/);
    expect(loadConfig({ GATEHOUSE_METRICS_PORT: "9464", GATEHOUSE_METRICS_HOST: "10.0.0.5" }).metrics).toEqual({ port: 9464, host: "10.0.0.5", token: null });
  });

  it("keeps magic links short-lived and the longest code lockout no shorter than the first", () => {
    expect(() => loadConfig({ GATEHOUSE_MAGIC_LINK_TTL_SECONDS: "3601" })).toThrow(/GATEHOUSE_MAGIC_LINK_TTL_SECONDS/);
    expect(() => loadConfig({ GATEHOUSE_MAGIC_CODE_LOCKOUT_SECONDS: "7200", GATEHOUSE_MAGIC_CODE_LOCKOUT_MAX_SECONDS: "3600" })).toThrow(
      /GATEHOUSE_MAGIC_CODE_LOCKOUT_MAX_SECONDS must be at least/,
    );
    expect(
      loadConfig({ GATEHOUSE_MAGIC_CODE_LOCKOUT_SECONDS: "3600", GATEHOUSE_MAGIC_CODE_LOCKOUT_MAX_SECONDS: "3600" }).passwordless.codeLockoutMaxSeconds,
    ).toBe(3600);
  });

  it("requires a master key in production", () => {
    expect(() => loadConfig({ NODE_ENV: "production" })).toThrow(/GATEHOUSE_MASTER_KEY/);
    const config = loadConfig({ NODE_ENV: "production", GATEHOUSE_MASTER_KEY: Buffer.alloc(32, 7).toString("base64") });
    expect(config.mail.devMailbox).toBe(false);
  });
});

describe("the development mailbox setting", () => {
  const key = Buffer.alloc(32, 7).toString("base64");
  const mailbox = (env: Record<string, string>) => loadConfig(env).mail;

  it("serves the mailbox only for a local start without SMTP", () => {
    expect(mailbox({})).toMatchObject({ devMailbox: true, devMailboxReason: expect.stringContaining("only reachable from this machine") });
    expect(mailbox({ SMTP_URL: "smtp://mail.example.com" })).toMatchObject({ devMailbox: false, devMailboxReason: expect.stringContaining("SMTP_URL is set") });
    expect(mailbox({ GATEHOUSE_BASE_URL: "https://id.example.com" })).toMatchObject({
      devMailbox: false,
      devMailboxReason: expect.stringContaining("GATEHOUSE_BASE_URL is not a loopback address"),
    });
    expect(mailbox({ HOST: "0.0.0.0" })).toMatchObject({ devMailbox: false, devMailboxReason: expect.stringContaining("HOST=0.0.0.0") });
    expect(mailbox({ NODE_ENV: "production", GATEHOUSE_MASTER_KEY: key })).toMatchObject({
      devMailbox: false,
      devMailboxReason: expect.stringContaining("NODE_ENV=production"),
    });
    expect(mailbox({ GATEHOUSE_DEV_MAILBOX: "false" }).devMailbox).toBe(false);
    expect(mailbox({ GATEHOUSE_BASE_URL: "https://staging.example.com", GATEHOUSE_DEV_MAILBOX: "true" })).toMatchObject({
      devMailbox: true,
      devMailboxReason: expect.stringContaining("anyone"),
    });
  });

  it("refuses GATEHOUSE_DEV_MAILBOX=true in production or beside SMTP_URL, saying why", () => {
    expect(() => loadConfig({ NODE_ENV: "production", GATEHOUSE_MASTER_KEY: key, GATEHOUSE_DEV_MAILBOX: "true" })).toThrow(
      /GATEHOUSE_DEV_MAILBOX=true is refused when NODE_ENV=production/,
    );
    expect(() => loadConfig({ SMTP_URL: "smtp://mail.example.com", GATEHOUSE_DEV_MAILBOX: "true" })).toThrow(
      /GATEHOUSE_DEV_MAILBOX=true and SMTP_URL must not both be set/,
    );
    expect(() => loadConfig({ GATEHOUSE_DEV_MAILBOX: "maybe" })).toThrow(/GATEHOUSE_DEV_MAILBOX must be true or false/);
  });

  it("knows loopback names and addresses from the rest", () => {
    for (const host of ["localhost", "LOCALHOST", "localhost.", "127.0.0.1", "127.255.0.9", "::1", "[::1]"]) expect(isLoopbackHost(host), host).toBe(true);
    for (const host of ["0.0.0.0", "::", "10.0.0.1", "128.0.0.1", "id.example.com", "localhost.example.com", "127.0.0.1.nip.io", "::ffff:7f00:1"]) {
      expect(isLoopbackHost(host), host).toBe(false);
    }
  });
});
