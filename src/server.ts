import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from "fastify";
import type { Gatehouse } from "./gatehouse.js";
import cors from "@fastify/cors";
import { KernelErrors } from "./kernel/errors/kernel-errors.js";
import { registerApiDocument } from "./kernel/http/api-document.js";
import { listComponents } from "./kernel/http/components.js";
import { registerErrorHandler, renderRouterError } from "./kernel/http/error-handler.js";
import { registerDrain, type DrainOptions } from "./kernel/http/graceful-shutdown.js";
import { registerJsonBodyParser } from "./kernel/http/json-body.js";
import { registerValidators } from "./kernel/http/validation.js";
import { generateId } from "./kernel/crypto/random.js";
import { accesspassRoutes } from "./modules/accesspass/index.js";
import { AdminErrors, adminRoutes, createRequireAdminToken } from "./modules/admin/index.js";
import { accountsRoutes } from "./modules/accounts/index.js";
import { identitiesRoutes } from "./modules/identities/index.js";
import { hostedPagesRoutes, landingPageRoutes } from "./modules/hosted-pages/index.js";
import { loginHistoryRoutes } from "./modules/login-history/index.js";
import { mailboxRoutes } from "./modules/mailbox/index.js";
import { metricsRoutes, opsRoutes, type ReadinessCheck } from "./modules/ops/index.js";
import { passwordlessRoutes } from "./modules/passwordless/index.js";
import { passwordsRoutes } from "./modules/passwords/index.js";
import { sessionsRoutes } from "./modules/sessions/index.js";
import { createAuthenticate } from "./kernel/http/principal.js";
import { TokenErrors, tokensRoutes } from "./modules/tokens/index.js";
import "./types/fastify.js";

/** JSON bodies above this are refused with payload_too_large before they are parsed. */
const BODY_LIMIT_BYTES = 64 * 1024;

/**
 * The HTTP face of a Gatehouse: a thin shell over its services. Order matters and is spelled out:
 * kernel plugins (parsing, validation, errors, headers, metrics), then the API document, then the
 * feature modules.
 */
export async function buildServer(gatehouse: Gatehouse): Promise<FastifyInstance & { drainAndClose(options: DrainOptions): Promise<void> }> {
  const { config, metrics } = gatehouse;
  const app = Fastify({
    loggerInstance: gatehouse.logger as FastifyBaseLogger,
    bodyLimit: BODY_LIMIT_BYTES,
    // X-Forwarded-For is believed only from the configured proxies (proxy-addr semantics).
    trustProxy: config.http.trustedProxies.length > 0 ? config.http.trustedProxies : false,
    genReqId: () => generateId(),
    requestIdHeader: false,
    return503OnClosing: true,
    forceCloseConnections: "idle",
    routerOptions: { maxParamLength: 200 },
    frameworkErrors: renderRouterError,
  }).withTypeProvider<TypeBoxTypeProvider>();

  // 1. Input: our JSON parser (UTF-8, null bytes, prototype poisoning), strict validators, one error shape.
  registerJsonBodyParser(app);
  registerValidators(app, listComponents());
  registerErrorHandler(app);
  app.decorateRequest("principal", null);
  app.decorateRequest("actor", null);
  const drainAndClose = registerDrain(app);

  // 2. Every response: no sniffing, no framing, no referrer, and nothing cached unless a route says
  // so (responses carry tokens: RFC 6749 §5.1). Behind HTTPS, browsers are told to stay on HTTPS.
  const strictTransport = config.http.baseUrl.startsWith("https://");
  app.addHook("onSend", async (request, reply) => {
    // The id under which this request's logs and audit entries are filed, for support and operators.
    reply.header("x-request-id", request.id);
    reply.header("x-content-type-options", "nosniff");
    reply.header("x-frame-options", "DENY");
    if (!reply.hasHeader("referrer-policy")) reply.header("referrer-policy", "no-referrer");
    if (!reply.hasHeader("cache-control")) reply.header("cache-control", "no-store").header("pragma", "no-cache");
    if (strictTransport) reply.header("strict-transport-security", "max-age=31536000; includeSubDomains");
  });

  // Cross-origin calls from the browser applications listed in GATEHOUSE_CORS_ORIGINS, none by
  // default. No credentials: the API reads bearer tokens, never cookies.
  if (config.http.corsOrigins.length > 0) {
    await app.register(cors, {
      origin: config.http.corsOrigins,
      methods: ["GET", "POST", "PUT", "PATCH", "DELETE"],
      allowedHeaders: ["authorization", "content-type"],
      exposedHeaders: ["retry-after", "www-authenticate", "x-request-id"],
      maxAge: 600,
    });
  }

  // 3. Metrics by route template, so ids in URLs do not explode label cardinality.
  app.addHook("onResponse", async (request, reply) => {
    const route = request.routeOptions.url ?? "unmatched";
    metrics.httpRequests.inc({ method: request.method, route, status: String(reply.statusCode) });
    metrics.httpDuration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
  });

  // 4. The OpenAPI 3.1 document is generated from the same TypeBox schemas that validate requests.
  await registerApiDocument(app, {
    title: "Gatehouse API",
    version: "0.1.0",
    description: "Identity and access: accounts, passwords, sessions and tokens.",
    baseUrl: config.http.baseUrl,
    securitySchemes: {
      bearerAuth: {
        scheme: { type: "http", scheme: "bearer", bearerFormat: "JWT", description: "An access token from a sign-in or a refresh." },
        errors: [KernelErrors.unauthenticated, TokenErrors.invalid_token],
      },
      adminToken: {
        scheme: { type: "http", scheme: "bearer", description: "GATEHOUSE_ADMIN_TOKEN." },
        errors: [AdminErrors.admin_token_invalid],
      },
    },
  });

  // 5. Feature modules.
  const authenticate = createAuthenticate((token) => gatehouse.sessions.authenticate(token));
  const readiness: ReadinessCheck[] = [{ name: "database", check: () => gatehouse.database.ping() }];
  if (config.rateLimits.redisUrl) readiness.push({ name: "redis", check: () => gatehouse.limiter.ping() });
  // /metrics on the main listener only behind its token, and never when it has a listener of its own.
  const mainPortMetrics = config.metrics.token && config.metrics.port === null ? { registry: metrics.registry, token: config.metrics.token } : null;
  await app.register(opsRoutes, { readiness, draining: drainAndClose.isDraining, metrics: mainPortMetrics });
  await app.register(tokensRoutes, { keys: gatehouse.signingKeys, cacheMaxAgeSeconds: config.tokens.jwksMaxAgeSeconds });
  await app.register(accountsRoutes, { accounts: gatehouse.accounts, limiter: gatehouse.limiter, rules: gatehouse.rules, authenticate });
  await app.register(identitiesRoutes, { identities: gatehouse.identities, authenticate });
  await app.register(sessionsRoutes, { sessions: gatehouse.sessions, authenticate });
  await app.register(passwordsRoutes, { passwords: gatehouse.passwords, authenticate });
  await app.register(passwordlessRoutes, { passwordless: gatehouse.passwordless });
  await app.register(loginHistoryRoutes, { loginHistory: gatehouse.loginHistory, authenticate });
  await app.register(landingPageRoutes, { productName: config.mail.productName, devMailbox: config.mail.devMailbox });
  await app.register(hostedPagesRoutes, {
    accounts: gatehouse.accounts,
    identities: gatehouse.identities,
    passwords: gatehouse.passwords,
    passwordless: gatehouse.passwordless,
    sessions: gatehouse.sessions,
    productName: config.mail.productName,
    baseUrl: config.http.baseUrl,
    passwordMinLength: config.passwords.minLength,
    signInRedirectUrl: config.passwordless.signInRedirectUrl,
    developerHints: config.env !== "production",
    devMailbox: config.mail.devMailbox,
  });
  // AccessPass-compatible routes under their prefix; "/" mounts them at the root, beside the native API.
  const accesspassPrefix = config.compat.accesspassPrefix;
  if (accesspassPrefix) {
    await app.register(accesspassRoutes, {
      prefix: accesspassPrefix === "/" ? "" : accesspassPrefix,
      accounts: gatehouse.accounts,
      sessions: gatehouse.sessions,
      passwords: gatehouse.passwords,
      requireEmailConfirmation: config.accounts.requireEmailConfirmation,
    });
  }
  // The mailbox shows reset links: it exists only where config.mail.devMailbox allows (kernel/config/dev-mailbox.ts).
  if (config.mail.devMailbox) await app.register(mailboxRoutes, { outbox: gatehouse.outbox });
  // Operator routes exist only with GATEHOUSE_ADMIN_TOKEN (no roles yet): an unset token leaves no door to guess at.
  if (config.admin.token) {
    // Until roles and permissions land, every permission is the admin token's.
    const requireAdminToken = createRequireAdminToken(config.admin.token);
    await app.register(adminRoutes, { requirePermission: () => requireAdminToken, outbox: gatehouse.outbox, admin: gatehouse.admin });
  }

  await app.ready();
  return Object.assign(app, { drainAndClose });
}

/**
 * The metrics listener (GATEHOUSE_METRICS_PORT, bound to GATEHOUSE_METRICS_HOST): /metrics alone,
 * behind GATEHOUSE_METRICS_TOKEN too when that is set. The caller listens and closes it.
 */
export async function buildMetricsServer(gatehouse: Gatehouse): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: gatehouse.logger as FastifyBaseLogger,
    genReqId: () => generateId(),
    requestIdHeader: false,
    forceCloseConnections: true,
  });
  registerErrorHandler(app);
  await app.register(metricsRoutes, { registry: gatehouse.metrics.registry, token: gatehouse.config.metrics.token });
  await app.ready();
  return app;
}
