/**
 * Every setting Gatehouse reads, in one table: environment variable, type, default, unit and
 * description. `loadConfig` validates against it and `scripts/generate-docs.ts` renders it into
 * docs/configuration.md, so the documentation cannot drift from the code.
 */

import { isSupportedCountry } from "libphonenumber-js/max";

type Parsed<T> = { ok: true; value: T } | { ok: false; expected: string };

export interface Setting<T> {
  env: string;
  description: string;
  /** Shown in the docs; `null` means "unset". */
  default: T;
  /** Human-readable type, e.g. "integer (seconds)". */
  type: string;
  parse(raw: string): Parsed<T>;
}

function setting<T>(spec: Setting<T>): Setting<T> {
  return spec;
}

function integer(options: { min: number; max: number; unit?: string }) {
  const expected = `an integer from ${options.min} to ${options.max}`;
  return {
    type: options.unit ? `integer (${options.unit})` : "integer",
    parse(raw: string): Parsed<number> {
      if (!/^-?\d+$/.test(raw.trim())) return { ok: false, expected };
      const value = Number(raw.trim());
      if (value < options.min || value > options.max) return { ok: false, expected };
      return { ok: true, value };
    },
  };
}

const boolean = {
  type: "boolean",
  parse(raw: string): Parsed<boolean> {
    const value = raw.trim().toLowerCase();
    if (["true", "1", "yes"].includes(value)) return { ok: true, value: true };
    if (["false", "0", "no"].includes(value)) return { ok: true, value: false };
    return { ok: false, expected: "true or false" };
  },
};

const text = {
  type: "string",
  parse(raw: string): Parsed<string> {
    return raw.trim() === "" ? { ok: false, expected: "a non-empty string" } : { ok: true, value: raw.trim() };
  },
};

function url(protocols: string[]) {
  const expected = `a URL starting with ${protocols.map((p) => `${p}//`).join(" or ")}`;
  return {
    type: "URL",
    parse(raw: string): Parsed<string> {
      try {
        const parsed = new URL(raw.trim());
        return protocols.includes(parsed.protocol) ? { ok: true, value: raw.trim() } : { ok: false, expected };
      } catch {
        return { ok: false, expected };
      }
    },
  };
}

function oneOf<const T extends string>(values: readonly T[]) {
  return {
    type: values.map((v) => `\`${v}\``).join(" \\| "),
    parse(raw: string): Parsed<T> {
      const value = raw.trim() as T;
      return values.includes(value) ? { ok: true, value } : { ok: false, expected: `one of ${values.join(", ")}` };
    },
  };
}

const list = {
  type: "comma-separated list",
  parse(raw: string): Parsed<string[]> {
    return {
      ok: true,
      value: raw
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean),
    };
  },
};

const originList = {
  type: "comma-separated origins",
  parse(raw: string): Parsed<string[]> {
    const values = raw
      .split(",")
      .map((v) => v.trim())
      .filter(Boolean);
    const isOrigin = (value: string) => {
      try {
        const url = new URL(value);
        return ["http:", "https:"].includes(url.protocol) && url.origin === value;
      } catch {
        return false;
      }
    };
    return values.every(isOrigin)
      ? { ok: true, value: values }
      : { ok: false, expected: "origins such as https://app.example.com (scheme, host and port only, no path)" };
  },
};

const masterKey = {
  type: "base64 (32 bytes)",
  parse(raw: string): Parsed<string> {
    const bytes = Buffer.from(raw.trim(), "base64");
    return bytes.length === 32 ? { ok: true, value: raw.trim() } : { ok: false, expected: "32 bytes encoded as base64 (openssl rand -base64 32)" };
  },
};

const masterKeyList = {
  type: "comma-separated base64 keys (32 bytes each)",
  parse(raw: string): Parsed<string[]> {
    const values = raw
      .split(",")
      .map((v) => v.trim())
      .filter(Boolean);
    return values.every((v) => masterKey.parse(v).ok)
      ? { ok: true, value: values }
      : { ok: false, expected: "32-byte keys encoded as base64, separated by commas" };
  },
};

const routePrefix = {
  type: "path or `off`",
  parse(raw: string): Parsed<string | null> {
    const value = raw.trim();
    if (value === "off") return { ok: true, value: null };
    return /^\/[A-Za-z0-9._~\/-]*$/.test(value)
      ? { ok: true, value: value === "/" ? "/" : value.replace(/\/+$/, "") }
      : { ok: false, expected: "a path starting with / (or off)" };
  },
};

function secret(minLength: number) {
  return {
    type: `secret (at least ${minLength} characters)`,
    parse(raw: string): Parsed<string> {
      return raw.trim().length >= minLength
        ? { ok: true, value: raw.trim() }
        : { ok: false, expected: `at least ${minLength} characters (openssl rand -hex 32)` };
    },
  };
}

const phoneRegion = {
  type: "region code",
  parse(raw: string): Parsed<string> {
    const value = raw.trim().toUpperCase();
    return isSupportedCountry(value) ? { ok: true, value } : { ok: false, expected: "an ISO 3166-1 alpha-2 region with a phone numbering plan, e.g. FR" };
  },
};

const phoneRegions = {
  type: "comma-separated region codes",
  parse(raw: string): Parsed<string[]> {
    const values = raw
      .split(",")
      .map((v) => v.trim().toUpperCase())
      .filter(Boolean);
    return values.every((v) => isSupportedCountry(v))
      ? { ok: true, value: values }
      : { ok: false, expected: "ISO 3166-1 alpha-2 regions with a phone numbering plan, e.g. FR,BE,CH" };
  },
};

const DAY = 86_400;

export const settings = {
  nodeEnv: setting({
    env: "NODE_ENV",
    ...oneOf(["development", "production", "test"] as const),
    default: "development" as "development" | "production" | "test",
    description: "`production` removes the development mailbox (and refuses `GATEHOUSE_DEV_MAILBOX=true`) and requires `GATEHOUSE_MASTER_KEY`.",
  }),
  port: setting({ env: "PORT", ...integer({ min: 0, max: 65535 }), default: 3000, description: "TCP port the HTTP server listens on." }),
  host: setting({ env: "HOST", ...text, default: "127.0.0.1", description: "Interface the HTTP server binds to. Use `0.0.0.0` in a container." }),
  baseUrl: setting({
    env: "GATEHOUSE_BASE_URL",
    ...url(["http:", "https:"]),
    default: null as string | null,
    description: "Public URL of this Gatehouse. Every emailed link is built from it, never from the request's Host header. Default: `http://localhost:<PORT>`.",
  }),
  databaseUrl: setting({
    env: "DATABASE_URL",
    ...url(["postgres:", "postgresql:"]),
    default: null as string | null,
    description: "PostgreSQL connection string. Unset: embedded PGlite stored in `GATEHOUSE_DATA_DIR`.",
  }),
  cacheMaxEntries: setting({
    env: "GATEHOUSE_CACHE_MAX_ENTRIES",
    ...integer({ min: 0, max: 10_000_000, unit: "rows per table" }),
    default: 100_000,
    description:
      "Live sessions and users kept in memory, so a token check needs no database round trip. Every committed change evicts its row on every node (PostgreSQL LISTEN/NOTIFY, see docs/deployment.md); while a node cannot listen it reads the database. 0 turns the cache off.",
  }),
  databaseConnectTimeoutMs: setting({
    env: "GATEHOUSE_DATABASE_CONNECT_TIMEOUT_MS",
    ...integer({ min: 100, max: 600_000, unit: "milliseconds" }),
    default: 5000,
    description:
      "Time allowed to open a PostgreSQL connection, or to wait for a free one in the pool. Start-up against a database that does not answer fails after it; a request that cannot get a connection answers 503 `service_unavailable`.",
  }),
  databaseStatementTimeoutMs: setting({
    env: "GATEHOUSE_DATABASE_STATEMENT_TIMEOUT_MS",
    ...integer({ min: 100, max: 3_600_000, unit: "milliseconds" }),
    default: 10_000,
    description:
      "PostgreSQL `statement_timeout` of every pooled connection; the driver also gives up 1 s later when the server does not answer at all (a dead connection). Either answers 503 `service_unavailable`. Migrations are not limited.",
  }),
  cacheHeartbeatIntervalMs: setting({
    env: "GATEHOUSE_CACHE_HEARTBEAT_INTERVAL_MS",
    ...integer({ min: 50, max: 60_000, unit: "milliseconds" }),
    default: 2000,
    description: "How often each node notifies itself through its LISTEN connection, proving that change notifications still reach it (docs/deployment.md).",
  }),
  cacheHeartbeatTimeoutMs: setting({
    env: "GATEHOUSE_CACHE_HEARTBEAT_TIMEOUT_MS",
    ...integer({ min: 100, max: 300_000, unit: "milliseconds" }),
    default: 5000,
    description:
      "A node that has heard no heartbeat for this long stops serving from its cache (reads go to the database) and reconnects its listener. It bounds how long a lost change notification can leave a revoked session accepted. Must exceed the interval.",
  }),
  dataDir: setting({
    env: "GATEHOUSE_DATA_DIR",
    ...text,
    default: "./data",
    description: "Directory for the embedded database and the development master key.",
  }),
  memorySaver: setting({
    env: "GATEHOUSE_MEMORY_SAVER",
    ...boolean,
    default: true,
    description:
      "`gatehouse serve` starts Node with V8's memory saver mode and, on the embedded database, with WebAssembly compiled by the baseline compiler only (`--memory-saver-mode --min-semi-space-size=4 --liftoff-only`): about half the resident memory, for more garbage-collection work per request and embedded-database queries up to twice as slow (docs/benchmarks.md, Memory). `false`: V8's defaults, for a machine with memory to spare. Node flags given on the command line win.",
  }),
  pgliteSharedBuffersMb: setting({
    env: "GATEHOUSE_PGLITE_SHARED_BUFFERS_MB",
    ...integer({ min: 1, max: 4096, unit: "MB" }),
    default: 16,
    description:
      "Buffer pool of the embedded database (PostgreSQL's `shared_buffers`), held in memory for the life of the process. Pages beyond it are read from the operating system's file cache. PostgreSQL's own default, 128 MB, costs as much resident memory (docs/benchmarks.md, Memory).",
  }),
  masterKey: setting({
    env: "GATEHOUSE_MASTER_KEY",
    ...masterKey,
    default: null as string | null,
    description:
      "Key that seals signing keys, queued messages and vault secrets at rest. Required in production; in development a key is generated into the data directory.",
  }),
  retiredMasterKeys: setting({
    env: "GATEHOUSE_RETIRED_MASTER_KEYS",
    ...masterKeyList,
    default: [] as string[],
    description:
      "Former master keys, comma-separated, kept while a rotation runs: they open what they sealed, and nothing is sealed with them. Set the new key as `GATEHOUSE_MASTER_KEY` and the old one here on every node, run `gatehouse keys rotate-master` to re-seal everything, then remove it (docs/deployment.md).",
  }),
  logLevel: setting({
    env: "LOG_LEVEL",
    ...oneOf(["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const),
    default: "info" as "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent",
    description: "Minimum level of the JSON logs.",
  }),
  trustedProxies: setting({
    env: "GATEHOUSE_TRUSTED_PROXIES",
    ...list,
    default: [] as string[],
    description: "Addresses or CIDR ranges of reverse proxies. The client IP is read from `X-Forwarded-For` only when the peer is one of them.",
  }),
  corsOrigins: setting({
    env: "GATEHOUSE_CORS_ORIGINS",
    ...originList,
    default: [] as string[],
    description:
      "Origins of browser applications allowed to call the API from another origin, e.g. `https://app.example.com,https://admin.example.com` (CORS; preflights answered, no credentials: tokens travel in `Authorization`). Empty: no cross-origin calls.",
  }),
  smtpUrl: setting({
    env: "SMTP_URL",
    ...url(["smtp:", "smtps:"]),
    default: null as string | null,
    description:
      "SMTP server for outgoing mail, e.g. `smtp://user:pass@mail.example.com:587`. Unset: mail is kept in the development mailbox where there is one (see `GATEHOUSE_DEV_MAILBOX`), and fails visibly where there is none.",
  }),
  devMailbox: setting({
    env: "GATEHOUSE_DEV_MAILBOX",
    ...boolean,
    default: null as boolean | null,
    description:
      "The development mailbox at `/dev/mailbox` shows every queued email and SMS, reset links and codes included, to anyone who can reach it. Unset: it exists only without `SMTP_URL`, outside production, and when both `GATEHOUSE_BASE_URL` and `HOST` are loopback addresses (localhost, 127.0.0.0/8, ::1). `true` serves it on any address too (a shared test server); refused with `NODE_ENV=production` or `SMTP_URL`. `false`: never.",
  }),
  mailFrom: setting({ env: "MAIL_FROM", ...text, default: "Gatehouse <no-reply@localhost>", description: "Sender address of every email." }),
  productName: setting({ env: "GATEHOUSE_PRODUCT_NAME", ...text, default: "Gatehouse", description: "Product name used in emails and pages." }),
  issuer: setting({
    env: "GATEHOUSE_ISSUER",
    ...url(["http:", "https:"]),
    default: null as string | null,
    description: "`iss` claim of access tokens. Default: the base URL.",
  }),
  audience: setting({ env: "GATEHOUSE_AUDIENCE", ...text, default: "gatehouse", description: "`aud` claim of access tokens issued for the first-party API." }),
  accessTokenTtlSeconds: setting({
    env: "GATEHOUSE_ACCESS_TOKEN_TTL_SECONDS",
    ...integer({ min: 30, max: DAY, unit: "seconds" }),
    default: 300,
    description: "Lifetime of an access token.",
  }),
  jwksMaxAgeSeconds: setting({
    env: "GATEHOUSE_JWKS_MAX_AGE_SECONDS",
    ...integer({ min: 0, max: DAY, unit: "seconds" }),
    default: 300,
    description:
      "How long relying parties may cache `/.well-known/jwks.json` (`Cache-Control: max-age`). A rotated-in signing key is published at once but signs only this long plus 60 s later (the longest a node takes to re-read the keys), so a verifier holding a cached key set already has it (docs/security.md).",
  }),
  refreshTokenTtlSeconds: setting({
    env: "GATEHOUSE_REFRESH_TOKEN_TTL_SECONDS",
    ...integer({ min: 0, max: 365 * DAY, unit: "seconds" }),
    default: 30 * DAY,
    description: "Lifetime of a refresh token. `0`: refresh tokens do not expire (the session lifetime still applies).",
  }),
  refreshReuseIntervalSeconds: setting({
    env: "GATEHOUSE_REFRESH_REUSE_INTERVAL_SECONDS",
    ...integer({ min: 0, max: 60, unit: "seconds" }),
    default: 0,
    description:
      "Grace period in which a just-spent refresh token may be presented again (two tabs refreshing at once) and still yield a valid pair instead of revoking the session.",
  }),
  sessionTtlSeconds: setting({
    env: "GATEHOUSE_SESSION_TTL_SECONDS",
    ...integer({ min: 60, max: 365 * DAY, unit: "seconds" }),
    default: 30 * DAY,
    description: "Absolute lifetime of a session, however often it is refreshed.",
  }),
  sessionIdleTimeoutSeconds: setting({
    env: "GATEHOUSE_SESSION_IDLE_TIMEOUT_SECONDS",
    ...integer({ min: 300, max: 365 * DAY, unit: "seconds" }),
    default: 3 * DAY,
    description:
      "A session whose refresh token has not been used for this long ends (its last use is `lastUsedAt`). Must exceed the access-token lifetime; a timeout longer than `GATEHOUSE_SESSION_TTL_SECONDS` never applies.",
  }),
  reauthenticationMaxAgeSeconds: setting({
    env: "GATEHOUSE_REAUTHENTICATION_MAX_AGE_SECONDS",
    ...integer({ min: 30, max: DAY, unit: "seconds" }),
    default: 600,
    description:
      "Sensitive changes (adding or removing an email address or phone number, changing the email address of an account without a password) need a proof of identity at most this old: the sign-in itself, or `POST /v1/sessions/current/reauthenticate`. Older: 403 `reauthentication_required`.",
  }),
  signInTokenTtlSeconds: setting({
    env: "GATEHOUSE_SIGN_IN_TOKEN_TTL_SECONDS",
    ...integer({ min: 10, max: 600, unit: "seconds" }),
    default: 60,
    description: "Lifetime of a short-lived sign-in token.",
  }),
  emailConfirmationTtlSeconds: setting({
    env: "GATEHOUSE_EMAIL_CONFIRMATION_TTL_SECONDS",
    ...integer({ min: 300, max: 30 * DAY, unit: "seconds" }),
    default: 2 * DAY,
    description: "Lifetime of an email-confirmation link.",
  }),
  passwordResetTtlSeconds: setting({
    env: "GATEHOUSE_PASSWORD_RESET_TTL_SECONDS",
    ...integer({ min: 300, max: DAY, unit: "seconds" }),
    default: 3600,
    description: "Lifetime of a password-reset link: an hour by default, as OWASP advises. It works once.",
  }),
  requireEmailConfirmation: setting({
    env: "GATEHOUSE_REQUIRE_EMAIL_CONFIRMATION",
    ...boolean,
    default: false,
    description: "Refuse password sign-in until the email address is confirmed.",
  }),
  passwordMinLength: setting({
    env: "GATEHOUSE_PASSWORD_MIN_LENGTH",
    ...integer({ min: 8, max: 128, unit: "characters" }),
    default: 15,
    description: "Minimum password length in Unicode code points (NIST SP 800-63B-4: 15 for single-factor).",
  }),
  argon2MemoryKib: setting({
    env: "GATEHOUSE_ARGON2_MEMORY_KIB",
    ...integer({ min: 19456, max: 4_194_304, unit: "KiB" }),
    default: 19456,
    description: "argon2id memory cost (OWASP minimum: 19456 KiB with 2 iterations).",
  }),
  argon2Iterations: setting({ env: "GATEHOUSE_ARGON2_ITERATIONS", ...integer({ min: 2, max: 100 }), default: 2, description: "argon2id time cost." }),
  argon2Parallelism: setting({ env: "GATEHOUSE_ARGON2_PARALLELISM", ...integer({ min: 1, max: 16 }), default: 1, description: "argon2id parallelism." }),
  signInLimitPerAccount: setting({
    env: "GATEHOUSE_SIGN_IN_LIMIT_PER_ACCOUNT",
    ...integer({ min: 1, max: 1_000_000, unit: "attempts per window" }),
    default: 10,
    description: "Password sign-in attempts allowed per login name per window. A successful sign-in clears the count.",
  }),
  signInLimitPerIp: setting({
    env: "GATEHOUSE_SIGN_IN_LIMIT_PER_IP",
    ...integer({ min: 1, max: 10_000_000, unit: "attempts per window" }),
    default: 100,
    description: "Sign-in attempts allowed per client IP per window.",
  }),
  signInFailedAccountsPerIp: setting({
    env: "GATEHOUSE_SIGN_IN_FAILED_ACCOUNTS_PER_IP",
    ...integer({ min: 1, max: 1_000_000, unit: "accounts per window" }),
    default: 20,
    description:
      "Distinct accounts that one client network (an IPv4 address or an IPv6 /64) may fail to sign in to per window before its sign-ins are refused. Stops password spraying early; one person mistyping their own password counts once. Successful sign-ins do not count.",
  }),
  signInSlowdownMs: setting({
    env: "GATEHOUSE_SIGN_IN_SLOWDOWN_MS",
    ...integer({ min: 0, max: 10_000, unit: "milliseconds" }),
    default: 1000,
    description:
      "While more than half of this node's password sign-ins in the last minute failed (at least 50 of them), each failure is answered this much later; successes never are. Published as `gatehouse_sign_in_failure_ratio`. 0 turns it off.",
  }),
  hashQueueLimit: setting({
    env: "GATEHOUSE_HASH_QUEUE_LIMIT",
    ...integer({ min: 0, max: 100_000, unit: "passwords" }),
    default: 32,
    description:
      "Password hashes that may wait for a free core. Beyond it, requests that need a hash are refused at once with 503 `server_busy` and Retry-After, so a flood cannot delay everyone's sign-in or grow memory. Hashes run one per core.",
  }),
  hashQueueLimitPerIp: setting({
    env: "GATEHOUSE_HASH_QUEUE_LIMIT_PER_IP",
    ...integer({ min: 1, max: 100_000, unit: "passwords" }),
    default: 8,
    description:
      "Password hashes one client network may have running or waiting at once; more are refused with 503 `server_busy`, so one address cannot fill the queue for everyone.",
  }),
  mailLimitPerTarget: setting({
    env: "GATEHOUSE_MAIL_LIMIT_PER_TARGET",
    ...integer({ min: 1, max: 1_000_000, unit: "messages per window" }),
    default: 5,
    description: "Messages (reset, confirmation, reminders) that one address or login name can trigger per window.",
  }),
  mailLimitPerIp: setting({
    env: "GATEHOUSE_MAIL_LIMIT_PER_IP",
    ...integer({ min: 1, max: 10_000_000, unit: "requests per window" }),
    default: 30,
    description: "Mail-sending requests allowed per client IP per window.",
  }),
  registerLimitPerIp: setting({
    env: "GATEHOUSE_REGISTER_LIMIT_PER_IP",
    ...integer({ min: 1, max: 10_000_000, unit: "requests per window" }),
    default: 30,
    description: "Registrations allowed per client IP per window.",
  }),
  rateLimitWindowSeconds: setting({
    env: "GATEHOUSE_RATE_LIMIT_WINDOW_SECONDS",
    ...integer({ min: 1, max: DAY, unit: "seconds" }),
    default: 900,
    description: "Length of every throttling window.",
  }),
  accesspassPrefix: setting({
    env: "GATEHOUSE_ACCESSPASS_PREFIX",
    ...routePrefix,
    default: "/accesspass" as string | null,
    description: "Where the AccessPass-compatible routes are mounted (`/` mounts them at the root). `off` disables them.",
  }),
  redisUrl: setting({
    env: "REDIS_URL",
    ...url(["redis:", "rediss:"]),
    default: null as string | null,
    description: "Redis for shared throttling counters. Unset: counters live in the database (also shared by every node).",
  }),
  redisTimeoutMs: setting({
    env: "GATEHOUSE_REDIS_TIMEOUT_MS",
    ...integer({ min: 50, max: 60_000, unit: "milliseconds" }),
    default: 1000,
    description:
      "Time allowed to connect to Redis and for each command. While Redis does not answer, throttled requests (sign-in, registration, mail) answer 503 `service_unavailable` with Retry-After instead of waiting, and `/readyz` answers 503.",
  }),
  redisKeyPrefix: setting({
    env: "GATEHOUSE_REDIS_KEY_PREFIX",
    ...text,
    default: "gatehouse:",
    description: "Prefix of every key Gatehouse writes in Redis, so several deployments can share one server.",
  }),
  expungeIntervalSeconds: setting({
    env: "GATEHOUSE_EXPUNGE_INTERVAL_SECONDS",
    ...integer({ min: 1, max: DAY, unit: "seconds" }),
    default: 600,
    description: "How often expired tokens, sessions and counters are deleted.",
  }),
  outboxPollIntervalSeconds: setting({
    env: "GATEHOUSE_OUTBOX_POLL_INTERVAL_SECONDS",
    ...integer({ min: 1, max: 3600, unit: "seconds" }),
    default: 5,
    description: "How often the outbox is polled for messages to (re)deliver.",
  }),
  outboxMaxAttempts: setting({
    env: "GATEHOUSE_OUTBOX_MAX_ATTEMPTS",
    ...integer({ min: 1, max: 100 }),
    default: 8,
    description: "Delivery attempts before a message is marked failed.",
  }),
  outboxLeaseSeconds: setting({
    env: "GATEHOUSE_OUTBOX_LEASE_SECONDS",
    ...integer({ min: 5, max: 3600, unit: "seconds" }),
    default: 120,
    description:
      "How long a node may hold a message it is sending before another node (or the same one after a crash) may send it again. Must exceed `GATEHOUSE_DELIVERY_TIMEOUT_SECONDS`.",
  }),
  deliveryTimeoutSeconds: setting({
    env: "GATEHOUSE_DELIVERY_TIMEOUT_SECONDS",
    ...integer({ min: 1, max: 600, unit: "seconds" }),
    default: 30,
    description: "Time allowed for one SMS gateway request, and the SMTP connection, greeting and inactivity timeouts. A send that times out is retried.",
  }),
  templatesDir: setting({
    env: "GATEHOUSE_TEMPLATES_DIR",
    ...text,
    default: null as string | null,
    description:
      "Directory of message templates that replace the built-in ones (`<name>.subject.txt`, `<name>.text.txt`, `<name>.html`, `<name>.sms.txt`; see docs/delivery.md). Read once at start-up.",
  }),
  smsWebhookUrl: setting({
    env: "GATEHOUSE_SMS_WEBHOOK_URL",
    ...url(["http:", "https:"]),
    default: null as string | null,
    description:
      "Send SMS by POSTing signed JSON (`{to, text, messageId}`) to this URL. Requires `GATEHOUSE_SMS_WEBHOOK_SECRET`. Unset (and no Twilio): SMS stay in the development mailbox where there is one, and fail visibly where there is none.",
  }),
  smsWebhookSecret: setting({
    env: "GATEHOUSE_SMS_WEBHOOK_SECRET",
    ...secret(16),
    default: null as string | null,
    description: "Key of the HMAC-SHA256 signature in `X-Gatehouse-Signature` on every SMS webhook request.",
  }),
  twilioAccountSid: setting({
    env: "GATEHOUSE_TWILIO_ACCOUNT_SID",
    ...text,
    default: null as string | null,
    description:
      "Send SMS through the Twilio Messages API (or a compatible one) with this account. Requires `GATEHOUSE_TWILIO_AUTH_TOKEN` and `GATEHOUSE_TWILIO_FROM`.",
  }),
  twilioAuthToken: setting({
    env: "GATEHOUSE_TWILIO_AUTH_TOKEN",
    ...text,
    default: null as string | null,
    description: "Auth token of the Twilio account (HTTP basic auth password).",
  }),
  twilioFrom: setting({
    env: "GATEHOUSE_TWILIO_FROM",
    ...text,
    default: null as string | null,
    description: "Sender of SMS sent through Twilio: a phone number in E.164 form or an alphanumeric sender ID.",
  }),
  twilioBaseUrl: setting({
    env: "GATEHOUSE_TWILIO_BASE_URL",
    ...url(["http:", "https:"]),
    default: "https://api.twilio.com",
    description: "Base URL of the Twilio-compatible API; messages are POSTed to `<base>/2010-04-01/Accounts/<SID>/Messages.json`.",
  }),
  adminToken: setting({
    env: "GATEHOUSE_ADMIN_TOKEN",
    ...secret(32),
    default: null as string | null,
    description: "Bearer token for the operator routes under `/v1/admin` (outbox inspection and retry). Unset: those routes do not exist.",
  }),
  metricsPort: setting({
    env: "GATEHOUSE_METRICS_PORT",
    ...integer({ min: 1, max: 65535 }),
    default: null as number | null,
    description:
      "Serve Prometheus metrics at `/metrics` on this port, on its own listener bound to `GATEHOUSE_METRICS_HOST`. Unset (and no `GATEHOUSE_METRICS_TOKEN`): metrics are not served at all.",
  }),
  metricsHost: setting({
    env: "GATEHOUSE_METRICS_HOST",
    ...text,
    default: "127.0.0.1",
    description: "Interface the metrics listener binds to. Keep it off the public network (e.g. a pod IP that only Prometheus reaches).",
  }),
  metricsToken: setting({
    env: "GATEHOUSE_METRICS_TOKEN",
    ...secret(32),
    default: null as string | null,
    description:
      "Bearer token a scraper must present for `/metrics`. Set alone, metrics are served on the main port behind it; with `GATEHOUSE_METRICS_PORT` too, only the metrics listener serves them, and requires it.",
  }),
  // Passwordless sign-in, identities and codes (docs/passwordless.md, docs/identities.md).
  magicLinkTtlSeconds: setting({
    env: "GATEHOUSE_MAGIC_LINK_TTL_SECONDS",
    ...integer({ min: 60, max: 3600, unit: "seconds" }),
    default: 600,
    description: "Lifetime of a magic sign-in link: 10 minutes by default, as OWASP advises; at most an hour, since the link alone signs in. It works once.",
  }),
  magicCodeTtlSeconds: setting({
    env: "GATEHOUSE_MAGIC_CODE_TTL_SECONDS",
    ...integer({ min: 60, max: 3600, unit: "seconds" }),
    default: 600,
    description: "Lifetime of a short numeric code (sign-in, identity verification, password recovery). It works once.",
  }),
  magicCodeLength: setting({
    env: "GATEHOUSE_MAGIC_CODE_LENGTH",
    ...integer({ min: 6, max: 10, unit: "digits" }),
    default: 6,
    description: "Digits in a numeric code.",
  }),
  magicCodeMaxAttempts: setting({
    env: "GATEHOUSE_MAGIC_CODE_MAX_ATTEMPTS",
    ...integer({ min: 1, max: 10, unit: "attempts" }),
    default: 5,
    description:
      "Wrong guesses after which a code is dead. The same number of failures across codes locks the identity's codes of that purpose (see `GATEHOUSE_MAGIC_CODE_LOCKOUT_SECONDS`): requesting a new code does not reset the count, only a correct code does.",
  }),
  magicCodeLockoutSeconds: setting({
    env: "GATEHOUSE_MAGIC_CODE_LOCKOUT_SECONDS",
    ...integer({ min: 60, max: DAY, unit: "seconds" }),
    default: 3600,
    description:
      "Length of the first lockout of an identity's codes of one purpose, once `GATEHOUSE_MAGIC_CODE_MAX_ATTEMPTS` wrong codes are entered; no code of that purpose is sent or accepted until it ends. Each further lockout lasts twice as long as the one before, up to `GATEHOUSE_MAGIC_CODE_LOCKOUT_MAX_SECONDS`, until a correct code clears the count (docs/passwordless.md).",
  }),
  magicCodeLockoutMaxSeconds: setting({
    env: "GATEHOUSE_MAGIC_CODE_LOCKOUT_MAX_SECONDS",
    ...integer({ min: 60, max: 7 * DAY, unit: "seconds" }),
    default: DAY,
    description:
      "Longest lockout of an identity's codes: the doubling stops here, so once the lockouts have grown an online attacker gets `GATEHOUSE_MAGIC_CODE_MAX_ATTEMPTS` guesses per this period per identity and purpose (5 a day with the defaults). At least `GATEHOUSE_MAGIC_CODE_LOCKOUT_SECONDS`. The count of failures is kept until it has been idle for (doublings to this cap + 1) times this period: 6 days with the defaults.",
  }),
  magicCodeResendIntervalSeconds: setting({
    env: "GATEHOUSE_MAGIC_CODE_RESEND_INTERVAL_SECONDS",
    ...integer({ min: 1, max: 3600, unit: "seconds" }),
    default: 30,
    description: "Minimum time between two codes or links sent to the same identity for the same purpose (answers 429 with Retry-After inside it).",
  }),
  passwordlessSignUp: setting({
    env: "GATEHOUSE_PASSWORDLESS_SIGN_UP",
    ...boolean,
    default: true,
    description:
      "A magic link or sign-in code requested for an unknown email address or phone number creates a passwordless account when used. `false`: nothing is sent to unknown identities (the answer is the same).",
  }),
  defaultPhoneRegion: setting({
    env: "GATEHOUSE_DEFAULT_PHONE_REGION",
    ...phoneRegion,
    default: null as string | null,
    description:
      "ISO 3166-1 alpha-2 region (e.g. `FR`) used to read phone numbers written without a `+` country code. Unset: numbers must be international (`+33…`). Stored numbers are always E.164.",
  }),
  phoneRegions: setting({
    env: "GATEHOUSE_PHONE_REGIONS",
    ...phoneRegions,
    default: [] as string[],
    description:
      "Regions whose phone numbers may be used (and sent SMS), e.g. `FR,BE`; others are refused with `phone_region_not_allowed` before anything is sent. Limits SMS-pumping fraud to the countries you serve. Empty: every region.",
  }),
  emailChangeTtlSeconds: setting({
    env: "GATEHOUSE_EMAIL_CHANGE_TTL_SECONDS",
    ...integer({ min: 300, max: 7 * DAY, unit: "seconds" }),
    default: DAY,
    description: "Lifetime of the link that confirms a change of email address (sent to the new address).",
  }),
  signInRedirectUrl: setting({
    env: "GATEHOUSE_SIGN_IN_REDIRECT_URL",
    ...url(["http:", "https:"]),
    default: null as string | null,
    description:
      "Where the hosted magic-link page sends the browser after sign-in, with a 60-second single-use sign-in token in the URL fragment (`#sign_in_token=…`) for the application to exchange at `POST /v1/sessions/sign-in-token`. Unset: the page shows the sign-in token.",
  }),
  smsLimitPerIp: setting({
    env: "GATEHOUSE_SMS_LIMIT_PER_IP",
    ...integer({ min: 1, max: 10_000_000, unit: "messages per window" }),
    default: 10,
    description: "SMS that one client IP can trigger per window (SMS cost money: this caps SMS-pumping fraud).",
  }),
  codeVerifyLimitPerIp: setting({
    env: "GATEHOUSE_CODE_VERIFY_LIMIT_PER_IP",
    ...integer({ min: 1, max: 10_000_000, unit: "attempts per window" }),
    default: 60,
    description: "Code and magic-link verification attempts allowed per client IP per window.",
  }),
  availabilityLimitPerIp: setting({
    env: "GATEHOUSE_AVAILABILITY_LIMIT_PER_IP",
    ...integer({ min: 1, max: 10_000_000, unit: "requests per window" }),
    default: 30,
    description: "Email-taken and username-taken checks allowed per client IP per window.",
  }),
};

export type Settings = typeof settings;
export type SettingValues = { [K in keyof Settings]: Settings[K]["default"] };
