import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./load-config.js";

describe("loadConfig", () => {
  it("has working defaults for a local start", () => {
    const config = loadConfig({});
    expect(config.http).toMatchObject({ port: 3000, host: "127.0.0.1", baseUrl: "http://localhost:3000", trustedProxies: [] });
    expect(config.database).toEqual({ url: null, dataDir: "./data", cacheMaxEntries: 100_000, pgliteSharedBuffersMb: 16 });
    expect(config.runtime).toEqual({ memorySaver: true });
    expect(config.tokens).toMatchObject({ accessTokenTtlSeconds: 300, jwksMaxAgeSeconds: 300, refreshReuseIntervalSeconds: 0, signInTokenTtlSeconds: 60, passwordResetTtlSeconds: 7200 });
    expect(config.tokens.issuer).toBe("http://localhost:3000");
    expect(config.passwords).toEqual({ minLength: 15, argon2: { memoryKib: 19456, iterations: 2, parallelism: 1 } });
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

  it("requires a master key in production", () => {
    expect(() => loadConfig({ NODE_ENV: "production" })).toThrow(/GATEHOUSE_MASTER_KEY/);
    const config = loadConfig({ NODE_ENV: "production", GATEHOUSE_MASTER_KEY: Buffer.alloc(32, 7).toString("base64") });
    expect(config.mail.devMailbox).toBe(false);
  });
});
