import type { Config } from "./kernel/config/load-config.js";
import { messageCatalogue } from "./message-catalogue.js";
import { linkedPagePaths } from "./modules/hosted-pages/index.js";
import { createKeyring, type Keyring } from "./kernel/crypto/keyring.js";
import { resolveMasterKey } from "./kernel/crypto/master-key.js";
import { createPasswordHasher, type PasswordHasher } from "./kernel/crypto/password-hasher.js";
import { openDatabase, type DatabaseHandle } from "./kernel/db/database.js";
import { applyMigrations } from "./kernel/db/migrate.js";
import { createRowCache } from "./kernel/db/row-cache.js";
import { createSigningKeys, type SigningKeys } from "./kernel/signing-keys/signing-keys.js";
import { createJobRunner, type JobRunner } from "./kernel/jobs/job-runner.js";
import { createLogger, type Logger } from "./kernel/logging/logger.js";
import { createMailDelivery, type MailDelivery } from "./kernel/mail/delivery.js";
import { createMailer, type Mailer } from "./kernel/mail/mailer.js";
import type { MailTransport, SmsTransport } from "./kernel/mail/message.js";
import { createOutbox, type Outbox } from "./kernel/mail/outbox.js";
import { registerOutboxMetrics } from "./kernel/mail/outbox-metrics.js";
import { createMessageTemplates } from "./kernel/mail/templates/renderer.js";
import { createConfiguredMailTransport, createConfiguredSmsTransport } from "./kernel/mail/transports.js";
import { createMetrics, scrapedGauge, type Metrics } from "./kernel/metrics/metrics.js";
import { createDatabaseCounterStore, createRateLimiter, createRedisCounterStore, type RateLimiter } from "./kernel/rate-limit/rate-limiter.js";
import type { RateRules } from "./kernel/rate-limit/rules.js";
import { addSeconds, systemClock, type Clock } from "./kernel/time/clock.js";
import { createAccountRateRules, createAccountsService, createUserRows, type AccountsService, type User } from "./modules/accounts/index.js";
import { createIdentitiesService, createIdentityRateRules, type IdentitiesService } from "./modules/identities/index.js";
import { createAdminService, type AdminService } from "./modules/admin/index.js";
import { createAuditService, type AuditService } from "./modules/audit/index.js";
import { createAuthenticatorsService, type AuthenticatorsService } from "./modules/authenticators/index.js";
import { createAuthzService, type AuthzService } from "./modules/authz/index.js";
import { createLoginHistoryService, type LoginHistoryService } from "./modules/login-history/index.js";
import { createPasswordlessService, type PasswordlessService } from "./modules/passwordless/index.js";
import { createPasswordsService, type PasswordsService } from "./modules/passwords/index.js";
import { createSessionsService, createSignInRateRules, type LiveSession, type SessionsService } from "./modules/sessions/index.js";
import {
  createAccessTokens,
  createMagicCodes,
  createRevokedTokenIds,
  createTokenStore,
  type AccessTokens,
  type MagicCodes,
  type TokenStore,
} from "./modules/tokens/index.js";

/** Replaceable parts, for tests and for applications that embed Gatehouse. */
export interface GatehouseOptions {
  clock?: Clock;
  logger?: Logger;
  /** Deliver mail through this transport instead of SMTP_URL / the development mailbox. */
  mailTransport?: MailTransport;
  /** Deliver SMS through this transport instead of the configured gateway / the development mailbox. */
  smsTransport?: SmsTransport;
  /** Use an open database instead of opening one from the configuration; it is not closed by `close()`. */
  database?: DatabaseHandle;
  /** Start the periodic jobs (expunge, outbox delivery). Default true. */
  startJobs?: boolean;
}

/** A running Gatehouse: its typed services, usable directly from Node or served over HTTP. */
export interface Gatehouse {
  config: Readonly<Config>;
  logger: Logger;
  clock: Clock;
  database: DatabaseHandle;
  metrics: Metrics;
  accounts: AccountsService;
  /** What operators do (each action audited). */
  admin: AdminService;
  /** How users prove who they are: the password policy, hashing, verification, the only writer of password hashes. */
  authenticators: AuthenticatorsService;
  /** Email addresses and phone numbers of users: verification, adding, removing, email change. */
  identities: IdentitiesService;
  passwords: PasswordsService;
  /** Magic links and sign-in codes. */
  passwordless: PasswordlessService;
  sessions: SessionsService;
  /** The general token store (Ash-style). */
  tokens: TokenStore;
  /** Short numeric codes scoped to their recipient, with attempt limits. */
  codes: MagicCodes;
  accessTokens: AccessTokens;
  signingKeys: SigningKeys;
  /** The master keys and what is derived from them: sealing at rest, purpose keys. */
  keyring: Keyring;
  /**
   * Re-seals everything sealed under a retired master key with the current one (`gatehouse keys
   * rotate-master`): signing keys and queued messages. Returns how many of each.
   */
  rewrapSealed(): Promise<{ signingKeys: number; outbox: number }>;
  loginHistory: LoginHistoryService;
  audit: AuditService;
  authz: AuthzService;
  limiter: RateLimiter;
  rules: RateRules;
  hasher: PasswordHasher;
  outbox: Outbox;
  mail: MailDelivery;
  mailer: Mailer;
  jobs: JobRunner;
  /** Stops jobs, waits for deliveries in flight, and closes connections. */
  close(): Promise<void>;
}

/** Delivered messages are kept this long (sealed) for the development mailbox and support. */
const DELIVERED_MAIL_RETENTION_SECONDS = 7 * 86_400;
/** Cached rows are evicted by the change feed; this only bounds the harm of a change it never saw. */
const ROW_CACHE_MAX_AGE_MS = 60_000;

/**
 * Creates a Gatehouse from a validated configuration: opens (or takes) the database, applies
 * migrations, makes sure a signing key exists, wires every service, and starts the periodic jobs.
 */
export async function createGatehouse(config: Readonly<Config>, options: GatehouseOptions = {}): Promise<Gatehouse> {
  const logger = options.logger ?? createLogger(config.log.level);
  const clock = options.clock ?? systemClock;
  // Template overrides are read and checked before anything else starts: a bad file stops the boot.
  const templates = createMessageTemplates({ catalogue: messageCatalogue, productName: config.mail.productName, directory: config.mail.templatesDir });
  const masterKey = resolveMasterKey(config.secrets.masterKey, config.database.dataDir);
  if (masterKey.generatedAt) logger.warn({ path: masterKey.generatedAt }, "generated a development master key; set GATEHOUSE_MASTER_KEY in production");
  const keyring = createKeyring({ current: masterKey.key, retired: config.secrets.retiredMasterKeys.map((key) => Buffer.from(key, "base64")) });

  const database = options.database ?? (await openDatabase(config.database));
  await applyMigrations(database);
  const { db } = database;

  const metrics = createMetrics();
  scrapedGauge(
    metrics.registry,
    {
      name: "gatehouse_change_feed_live",
      help: "1 while this node hears change notifications (its heartbeats come back) and may serve cached rows; 0 while it reads the database.",
    },
    async () => [{ value: database.changes.live ? 1 : 0 }],
  );
  const hasher = createPasswordHasher(config.passwords.argon2, {
    observe: (seconds) => metrics.passwordHashSeconds.observe(seconds),
    waiting: config.passwords.hashQueue.limit,
    perRequester: config.passwords.hashQueue.limitPerNetwork,
  });
  const redis = config.rateLimits.redisUrl
    ? // Loaded only with REDIS_URL: ioredis is 2 MB of heap otherwise held for nothing.
      await (
        await import("./kernel/rate-limit/redis-client.js")
      )
        .connectRedis(config.rateLimits.redisUrl, config.rateLimits.redisTimeoutMs, logger)
        .catch(async (error: unknown) => {
          if (!options.database) await database.close();
          throw error;
        })
    : null;
  const limiter = createRateLimiter(
    redis ? createRedisCounterStore(redis, clock, config.rateLimits.redisKeyPrefix) : createDatabaseCounterStore(db, clock),
    clock,
  );
  const rules: RateRules = {
    ...createSignInRateRules(config.rateLimits),
    ...createIdentityRateRules(config.rateLimits),
    ...createAccountRateRules(config.rateLimits),
  };

  const outbox = createOutbox(db, clock, keyring.sealer("outbox"), new URL(config.http.baseUrl).hostname);
  registerOutboxMetrics(metrics.registry, outbox, clock);
  const timeoutSeconds = config.mail.deliveryTimeoutSeconds;
  const transport = options.mailTransport ?? createConfiguredMailTransport(config.mail, timeoutSeconds);
  const smsTransport = options.smsTransport ?? createConfiguredSmsTransport(config.sms, config.mail.devMailbox, timeoutSeconds, clock);
  for (const unconfigured of [transport, smsTransport].filter((t) => t.name === "unconfigured")) {
    logger.warn(
      { channel: unconfigured === transport ? "email" : "sms" },
      "no transport configured: such messages will fail and be listed as failed in the outbox",
    );
  }
  const mail = createMailDelivery(outbox, { email: transport, sms: smsTransport }, clock, logger, {
    from: config.mail.from,
    maxAttempts: config.jobs.outboxMaxAttempts,
    keepBodies: config.mail.devMailbox,
    leaseSeconds: config.jobs.outboxLeaseSeconds,
  });
  const mailer = createMailer({
    outbox,
    delivery: mail,
    templates,
    baseUrl: config.http.baseUrl,
    productName: config.mail.productName,
    pages: linkedPagePaths,
  });

  const audit = createAuditService({ clock });
  const tokens = createTokenStore({ clock });
  const signingKeys = createSigningKeys({
    db,
    clock,
    sealer: keyring.sealer("signing-keys"),
    recordAudit: audit.record,
    changes: database.changes,
    jwksMaxAgeSeconds: config.tokens.jwksMaxAgeSeconds,
    tokenTtlSeconds: config.tokens.accessTokenTtlSeconds,
  });
  await signingKeys.ensureCurrentKey();
  const accessTokens = createAccessTokens({
    keys: signingKeys,
    clock,
    issuer: config.tokens.issuer,
    audience: config.tokens.audience,
    ttlSeconds: config.tokens.accessTokenTtlSeconds,
  });
  const authz = createAuthzService();
  const loginHistory = createLoginHistoryService({ db, clock });
  const codes = createMagicCodes({
    clock,
    key: keyring.derive("magic-codes"),
    config: {
      length: config.passwordless.codeLength,
      maxAttempts: config.passwordless.codeMaxAttempts,
      lockoutSeconds: config.passwordless.codeLockoutSeconds,
      lockoutMaxSeconds: config.passwordless.codeLockoutMaxSeconds,
    },
  });
  const rowCache = <V>(table: string) =>
    createRowCache<V>(database.changes, { table, maxEntries: config.database.cacheMaxEntries, maxAgeMs: ROW_CACHE_MAX_AGE_MS });
  const userCache = rowCache<User>("users");
  const users = createUserRows(userCache);
  const authenticators = createAuthenticatorsService({
    clock,
    hasher,
    limiter,
    rules,
    updateUserRow: users.update,
    config: { passwordMinLength: config.passwords.minLength },
  });
  const liveSessionCache = rowCache<LiveSession>("sessions");
  const revokedTokenIds = createRevokedTokenIds({ db, changes: database.changes, clock });
  const identities = createIdentitiesService({
    db,
    clock,
    authenticators,
    tokens,
    codes,
    mailer,
    audit,
    limiter,
    rules,
    users,
    config: {
      codeTtlSeconds: config.passwordless.codeTtlSeconds,
      emailConfirmationTtlSeconds: config.tokens.emailConfirmationTtlSeconds,
      emailChangeTtlSeconds: config.accounts.emailChangeTtlSeconds,
      reauthenticationMaxAgeSeconds: config.tokens.reauthenticationMaxAgeSeconds,
      defaultPhoneRegion: config.accounts.defaultPhoneRegion,
      phoneRegions: config.accounts.phoneRegions,
    },
  });
  const accounts = createAccountsService({
    db,
    clock,
    authenticators,
    mailer,
    audit,
    limiter,
    rules,
    identities,
    userCache,
    users,
  });
  const sessions = createSessionsService({
    db,
    clock,
    authenticators,
    accounts,
    identities,
    accessTokens,
    tokens,
    codes,
    mailer,
    authz,
    loginHistory,
    audit,
    limiter,
    rules,
    registry: metrics.registry,
    liveSessionCache,
    revokedTokenIds,
    config: {
      sessionTtlSeconds: config.tokens.sessionTtlSeconds,
      sessionIdleTimeoutSeconds: config.tokens.sessionIdleTimeoutSeconds,
      codeTtlSeconds: config.passwordless.codeTtlSeconds,
      signInSlowdownMs: config.rateLimits.signInSlowdownMs,
      refreshTokenTtlSeconds: config.tokens.refreshTokenTtlSeconds,
      refreshReuseIntervalSeconds: config.tokens.refreshReuseIntervalSeconds,
      signInTokenTtlSeconds: config.tokens.signInTokenTtlSeconds,
      requireEmailConfirmation: config.accounts.requireEmailConfirmation,
    },
  });
  const passwords = createPasswordsService({
    db,
    clock,
    authenticators,
    accounts,
    identities,
    codes,
    sessions,
    tokens,
    mailer,
    audit,
    limiter,
    rules,
    config: {
      passwordMinLength: config.passwords.minLength,
      passwordResetTtlSeconds: config.tokens.passwordResetTtlSeconds,
      codeTtlSeconds: config.passwordless.codeTtlSeconds,
    },
  });
  const passwordless = createPasswordlessService({
    db,
    accounts,
    authenticators,
    identities,
    sessions,
    tokens,
    codes,
    mailer,
    audit,
    limiter,
    rules,
    config: {
      magicLinkTtlSeconds: config.passwordless.magicLinkTtlSeconds,
      codeTtlSeconds: config.passwordless.codeTtlSeconds,
      allowSignUp: config.passwordless.allowSignUp,
    },
  });

  const admin = createAdminService({ db, outbox, audit, dispatch: () => mailer.dispatch() });

  const jobs = createJobRunner(
    [
      {
        name: "expunge",
        intervalSeconds: config.jobs.expungeIntervalSeconds,
        run: async () => ({
          tokens: await tokens.expungeExpired(db),
          codes: await codes.expunge(db),
          sessions: await sessions.expunge(),
          counters: await limiter.expunge(),
          mail: await outbox.expungeDelivered(addSeconds(clock.now(), -DELIVERED_MAIL_RETENTION_SECONDS)),
        }),
      },
      { name: "outbox", intervalSeconds: config.jobs.outboxPollIntervalSeconds, run: () => mail.drain() },
    ],
    logger,
  );
  if (options.startJobs ?? true) {
    jobs.start();
    mail.nudge(); // messages queued before a restart go out now, not at the first poll
  }

  return {
    config,
    logger,
    clock,
    database,
    metrics,
    admin,
    accounts,
    authenticators,
    identities,
    passwords,
    passwordless,
    sessions,
    tokens,
    codes,
    accessTokens,
    signingKeys,
    keyring,
    rewrapSealed: async () => ({ signingKeys: await signingKeys.rewrap(keyring.isStale), outbox: await outbox.rewrap(keyring.isStale) }),
    loginHistory,
    audit,
    authz,
    limiter,
    rules,
    hasher,
    outbox,
    mail,
    mailer,
    jobs,
    async close() {
      await jobs.stop();
      await mail.idle();
      transport.close?.();
      redis?.disconnect();
      userCache.close();
      liveSessionCache.close();
      revokedTokenIds.close();
      signingKeys.close();
      if (!options.database) await database.close();
    },
  };
}
