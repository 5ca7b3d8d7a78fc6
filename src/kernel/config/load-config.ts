import { settings, type SettingValues } from "./config-schema.js";
import { decideDevMailbox } from "./dev-mailbox.js";

/** The validated, frozen configuration every part of Gatehouse receives a slice of. */
export interface Config {
  env: SettingValues["nodeEnv"];
  http: { port: number; host: string; baseUrl: string; trustedProxies: string[]; corsOrigins: string[] };
  database: {
    url: string | null;
    dataDir: string;
    cacheMaxEntries: number;
    connectTimeoutMs: number;
    statementTimeoutMs: number;
    /** Self-notifications that prove the change feed still delivers (PostgreSQL only). */
    heartbeat: { intervalMs: number; timeoutMs: number };
    /** PGlite's buffer pool (shared_buffers), in megabytes. */
    pgliteSharedBuffersMb: number;
  };
  /** V8 settings `gatehouse serve` starts Node with (src/kernel/runtime/node-flags.ts). */
  runtime: { memorySaver: boolean };
  secrets: { masterKey: string | null; retiredMasterKeys: string[] };
  log: { level: SettingValues["logLevel"] };
  mail: {
    smtpUrl: string | null;
    from: string;
    productName: string;
    /** Whether /dev/mailbox exists and the development transports keep mail for it (dev-mailbox.ts). */
    devMailbox: boolean;
    /** Why it does or does not exist, for the start-up banner. */
    devMailboxReason: string;
    /** Directory of template overrides (docs/delivery.md); null: built-in templates only. */
    templatesDir: string | null;
    /** Per-request timeout of the SMS gateways and the SMTP connection. */
    deliveryTimeoutSeconds: number;
  };
  /** At most one SMS gateway; neither: SMS stay in the development mailbox, or fail where there is none. */
  sms: {
    webhook: { url: string; secret: string } | null;
    twilio: { accountSid: string; authToken: string; from: string; baseUrl: string } | null;
  };
  /** Where /metrics is served: its own listener, the main port behind a token, both, or nowhere. */
  metrics: { port: number | null; host: string; token: string | null };
  /** Operator routes under /v1/admin exist only when a token is configured. */
  admin: { token: string | null };
  tokens: {
    issuer: string;
    audience: string;
    accessTokenTtlSeconds: number;
    /** Cache lifetime of the JWKS; a new signing key signs this long (plus a reload margin) after it is published. */
    jwksMaxAgeSeconds: number;
    refreshTokenTtlSeconds: number;
    refreshReuseIntervalSeconds: number;
    sessionTtlSeconds: number;
    sessionIdleTimeoutSeconds: number;
    reauthenticationMaxAgeSeconds: number;
    signInTokenTtlSeconds: number;
    emailConfirmationTtlSeconds: number;
    passwordResetTtlSeconds: number;
  };
  accounts: { requireEmailConfirmation: boolean; emailChangeTtlSeconds: number; defaultPhoneRegion: string | null; phoneRegions: string[] };
  /** Magic links and numeric codes (docs/passwordless.md). */
  passwordless: {
    magicLinkTtlSeconds: number;
    codeTtlSeconds: number;
    codeLength: number;
    codeMaxAttempts: number;
    /** The first lockout; each further one doubles, up to `codeLockoutMaxSeconds`. */
    codeLockoutSeconds: number;
    codeLockoutMaxSeconds: number;
    allowSignUp: boolean;
    signInRedirectUrl: string | null;
  };
  passwords: {
    minLength: number;
    argon2: { memoryKib: number; iterations: number; parallelism: number };
    /** Hashes that may wait for a core, in all and per client network. */
    hashQueue: { limit: number; limitPerNetwork: number };
  };
  rateLimits: {
    windowSeconds: number;
    signInPerAccount: number;
    signInPerIp: number;
    signInFailedAccountsPerIp: number;
    signInSlowdownMs: number;
    mailPerTarget: number;
    mailPerIp: number;
    registerPerIp: number;
    smsPerIp: number;
    codeVerifyPerIp: number;
    availabilityPerIp: number;
    /** Minimum seconds between two codes or links sent to one identity for one purpose. */
    resendIntervalSeconds: number;
    redisUrl: string | null;
    /** Connect and per-command timeout of the Redis client. */
    redisTimeoutMs: number;
    redisKeyPrefix: string;
  };
  jobs: { expungeIntervalSeconds: number; outboxPollIntervalSeconds: number; outboxMaxAttempts: number; outboxLeaseSeconds: number };
  /** Mount point of the AccessPass-compatible routes; null when disabled. */
  compat: { accesspassPrefix: string | null };
}

export class ConfigError extends Error {
  override name = "ConfigError";
}

/**
 * Reads and validates settings from an environment-like record. Pure: the caller passes
 * `process.env` (the CLI) or a plain object (tests, library users). Throws `ConfigError` naming
 * every invalid variable.
 */
export function loadConfig(env: Record<string, string | undefined>): Readonly<Config> {
  const values = {} as Record<string, unknown>;
  const problems: string[] = [];
  for (const [key, spec] of Object.entries(settings)) {
    const raw = env[spec.env];
    if (raw === undefined || raw === "") {
      values[key] = spec.default;
      continue;
    }
    const parsed = spec.parse(raw);
    if (parsed.ok) values[key] = parsed.value;
    else problems.push(`${spec.env} must be ${parsed.expected}`);
  }
  const v = values as SettingValues;
  if (v.nodeEnv === "production" && v.masterKey === null) {
    problems.push("GATEHOUSE_MASTER_KEY must be set when NODE_ENV=production (generate one with: openssl rand -base64 32)");
  }
  problems.push(...deliveryProblems(v), ...sessionProblems(v), ...devMailboxProblems(v), ...operationsProblems(v));
  if (v.magicCodeLockoutMaxSeconds < v.magicCodeLockoutSeconds) {
    problems.push("GATEHOUSE_MAGIC_CODE_LOCKOUT_MAX_SECONDS must be at least GATEHOUSE_MAGIC_CODE_LOCKOUT_SECONDS");
  }
  if (problems.length > 0) throw new ConfigError(`Invalid configuration:\n  - ${problems.join("\n  - ")}`);
  return deepFreeze(toConfig(v));
}

function toConfig(v: SettingValues): Config {
  const baseUrl = (v.baseUrl ?? `http://localhost:${v.port}`).replace(/\/+$/, "");
  const devMailbox = decideDevMailbox({ explicit: v.devMailbox, nodeEnv: v.nodeEnv, smtpUrl: v.smtpUrl, baseUrl, host: v.host });
  return {
    env: v.nodeEnv,
    http: { port: v.port, host: v.host, baseUrl, trustedProxies: v.trustedProxies, corsOrigins: v.corsOrigins },
    database: {
      url: v.databaseUrl,
      dataDir: v.dataDir,
      cacheMaxEntries: v.cacheMaxEntries,
      connectTimeoutMs: v.databaseConnectTimeoutMs,
      statementTimeoutMs: v.databaseStatementTimeoutMs,
      heartbeat: { intervalMs: v.cacheHeartbeatIntervalMs, timeoutMs: v.cacheHeartbeatTimeoutMs },
      pgliteSharedBuffersMb: v.pgliteSharedBuffersMb,
    },
    runtime: { memorySaver: v.memorySaver },
    secrets: { masterKey: v.masterKey, retiredMasterKeys: v.retiredMasterKeys },
    log: { level: v.logLevel },
    mail: {
      smtpUrl: v.smtpUrl,
      from: v.mailFrom,
      productName: v.productName,
      devMailbox: devMailbox.enabled,
      devMailboxReason: devMailbox.reason,
      templatesDir: v.templatesDir,
      deliveryTimeoutSeconds: v.deliveryTimeoutSeconds,
    },
    sms: {
      webhook: v.smsWebhookUrl && v.smsWebhookSecret ? { url: v.smsWebhookUrl, secret: v.smsWebhookSecret } : null,
      twilio:
        v.twilioAccountSid && v.twilioAuthToken && v.twilioFrom
          ? { accountSid: v.twilioAccountSid, authToken: v.twilioAuthToken, from: v.twilioFrom, baseUrl: v.twilioBaseUrl.replace(/\/+$/, "") }
          : null,
    },
    metrics: { port: v.metricsPort, host: v.metricsHost, token: v.metricsToken },
    admin: { token: v.adminToken },
    tokens: {
      issuer: (v.issuer ?? baseUrl).replace(/\/+$/, ""),
      audience: v.audience,
      accessTokenTtlSeconds: v.accessTokenTtlSeconds,
      jwksMaxAgeSeconds: v.jwksMaxAgeSeconds,
      refreshTokenTtlSeconds: v.refreshTokenTtlSeconds,
      refreshReuseIntervalSeconds: v.refreshReuseIntervalSeconds,
      sessionTtlSeconds: v.sessionTtlSeconds,
      // An idle timeout longer than the session itself never applies.
      sessionIdleTimeoutSeconds: Math.min(v.sessionIdleTimeoutSeconds, v.sessionTtlSeconds),
      reauthenticationMaxAgeSeconds: v.reauthenticationMaxAgeSeconds,
      signInTokenTtlSeconds: v.signInTokenTtlSeconds,
      emailConfirmationTtlSeconds: v.emailConfirmationTtlSeconds,
      passwordResetTtlSeconds: v.passwordResetTtlSeconds,
    },
    accounts: {
      requireEmailConfirmation: v.requireEmailConfirmation,
      emailChangeTtlSeconds: v.emailChangeTtlSeconds,
      defaultPhoneRegion: v.defaultPhoneRegion,
      phoneRegions: v.phoneRegions,
    },
    passwordless: {
      magicLinkTtlSeconds: v.magicLinkTtlSeconds,
      codeTtlSeconds: v.magicCodeTtlSeconds,
      codeLength: v.magicCodeLength,
      codeMaxAttempts: v.magicCodeMaxAttempts,
      codeLockoutSeconds: v.magicCodeLockoutSeconds,
      codeLockoutMaxSeconds: v.magicCodeLockoutMaxSeconds,
      allowSignUp: v.passwordlessSignUp,
      signInRedirectUrl: v.signInRedirectUrl,
    },
    passwords: {
      minLength: v.passwordMinLength,
      argon2: { memoryKib: v.argon2MemoryKib, iterations: v.argon2Iterations, parallelism: v.argon2Parallelism },
      hashQueue: { limit: v.hashQueueLimit, limitPerNetwork: v.hashQueueLimitPerIp },
    },
    rateLimits: {
      windowSeconds: v.rateLimitWindowSeconds,
      signInPerAccount: v.signInLimitPerAccount,
      signInPerIp: v.signInLimitPerIp,
      signInFailedAccountsPerIp: v.signInFailedAccountsPerIp,
      signInSlowdownMs: v.signInSlowdownMs,
      mailPerTarget: v.mailLimitPerTarget,
      mailPerIp: v.mailLimitPerIp,
      registerPerIp: v.registerLimitPerIp,
      smsPerIp: v.smsLimitPerIp,
      codeVerifyPerIp: v.codeVerifyLimitPerIp,
      availabilityPerIp: v.availabilityLimitPerIp,
      resendIntervalSeconds: v.magicCodeResendIntervalSeconds,
      redisUrl: v.redisUrl,
      redisTimeoutMs: v.redisTimeoutMs,
      redisKeyPrefix: v.redisKeyPrefix,
    },
    jobs: {
      expungeIntervalSeconds: v.expungeIntervalSeconds,
      outboxPollIntervalSeconds: v.outboxPollIntervalSeconds,
      outboxMaxAttempts: v.outboxMaxAttempts,
      outboxLeaseSeconds: v.outboxLeaseSeconds,
    },
    compat: { accesspassPrefix: v.accesspassPrefix },
  };
}

/** Settings that only make sense together: an SMS gateway needs its credentials, and only one gateway. */
function deliveryProblems(v: SettingValues): string[] {
  const problems: string[] = [];
  const requires = (present: string | null, presentName: string, needed: string | null, neededName: string) => {
    if (present !== null && needed === null) problems.push(`${neededName} must be set when ${presentName} is set`);
  };
  requires(v.smsWebhookUrl, "GATEHOUSE_SMS_WEBHOOK_URL", v.smsWebhookSecret, "GATEHOUSE_SMS_WEBHOOK_SECRET");
  requires(v.twilioAccountSid, "GATEHOUSE_TWILIO_ACCOUNT_SID", v.twilioAuthToken, "GATEHOUSE_TWILIO_AUTH_TOKEN");
  requires(v.twilioAccountSid, "GATEHOUSE_TWILIO_ACCOUNT_SID", v.twilioFrom, "GATEHOUSE_TWILIO_FROM");
  requires(v.twilioAuthToken, "GATEHOUSE_TWILIO_AUTH_TOKEN", v.twilioAccountSid, "GATEHOUSE_TWILIO_ACCOUNT_SID");
  if (v.smsWebhookUrl !== null && v.twilioAccountSid !== null) {
    problems.push("GATEHOUSE_SMS_WEBHOOK_URL and GATEHOUSE_TWILIO_ACCOUNT_SID must not both be set: choose one SMS gateway");
  }
  // A send still running when its lease ends could be repeated by another node.
  if (v.outboxLeaseSeconds <= v.deliveryTimeoutSeconds) {
    problems.push("GATEHOUSE_OUTBOX_LEASE_SECONDS must be greater than GATEHOUSE_DELIVERY_TIMEOUT_SECONDS");
  }
  return problems;
}

/** An idle session must outlive its access tokens, or a token in use could outlast its session's end. */
function sessionProblems(v: SettingValues): string[] {
  const problems: string[] = [];
  if (v.sessionIdleTimeoutSeconds <= v.accessTokenTtlSeconds) {
    problems.push("GATEHOUSE_SESSION_IDLE_TIMEOUT_SECONDS must be greater than GATEHOUSE_ACCESS_TOKEN_TTL_SECONDS");
  }
  return problems;
}

/**
 * Asking for the mailbox where it would show real mail to the world is refused outright rather
 * than ignored, so nobody believes a production server is delivering into it.
 */
function devMailboxProblems(v: SettingValues): string[] {
  if (v.devMailbox !== true) return [];
  if (v.nodeEnv === "production") {
    return ["GATEHOUSE_DEV_MAILBOX=true is refused when NODE_ENV=production: the mailbox would show every reset link and code to anyone; set SMTP_URL instead"];
  }
  if (v.smtpUrl !== null) return ["GATEHOUSE_DEV_MAILBOX=true and SMTP_URL must not both be set: the mailbox only holds mail that is not sent"];
  return [];
}

/** Operational settings that depend on each other. */
function operationsProblems(v: SettingValues): string[] {
  const problems: string[] = [];
  // A timeout at or below the interval would declare the feed dead between two healthy heartbeats.
  if (v.cacheHeartbeatTimeoutMs <= v.cacheHeartbeatIntervalMs) {
    problems.push("GATEHOUSE_CACHE_HEARTBEAT_TIMEOUT_MS must be greater than GATEHOUSE_CACHE_HEARTBEAT_INTERVAL_MS");
  }
  if (v.metricsPort !== null && v.metricsPort === v.port) problems.push("GATEHOUSE_METRICS_PORT must differ from PORT");
  return problems;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object") {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
