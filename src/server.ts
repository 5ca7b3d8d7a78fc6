import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from "fastify";
import type { Gatehouse } from "./gatehouse.js";
import { registerErrorHandler } from "./kernel/http/error-handler.js";
import { registerDrain, type DrainOptions } from "./kernel/http/graceful-shutdown.js";
import { registerJsonBodyParser } from "./kernel/http/json-body.js";
import { registerValidators } from "./kernel/http/validation.js";
import { generateId } from "./kernel/crypto/random.js";
import { accesspassRoutes } from "./modules/accesspass/index.js";
import { adminRoutes } from "./modules/admin/index.js";
import { accountsRoutes, identitiesRoutes } from "./modules/accounts/index.js";
import { hostedPagesRoutes } from "./modules/hosted-pages/index.js";
import { loginHistoryRoutes } from "./modules/login-history/index.js";
import { mailboxRoutes } from "./modules/mailbox/index.js";
import { opsRoutes } from "./modules/ops/index.js";
import { passwordlessRoutes } from "./modules/passwordless/index.js";
import { passwordsRoutes } from "./modules/passwords/index.js";
import { createAuthenticate, sessionsRoutes } from "./modules/sessions/index.js";
import { tokensRoutes } from "./modules/tokens/index.js";
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
  }).withTypeProvider<TypeBoxTypeProvider>();

  // 1. Input: our JSON parser (UTF-8, null bytes, prototype poisoning), strict validators, one error shape.
  registerJsonBodyParser(app);
  registerValidators(app);
  registerErrorHandler(app);
  app.decorateRequest("auth", null);
  const drainAndClose = registerDrain(app);

  // 2. Every response: no sniffing, no framing, no referrer, and nothing cached unless a route says
  // so (responses carry tokens: RFC 6749 §5.1). Behind HTTPS, browsers are told to stay on HTTPS.
  const strictTransport = config.http.baseUrl.startsWith("https://");
  app.addHook("onSend", async (_request, reply) => {
    reply.header("x-content-type-options", "nosniff");
    reply.header("x-frame-options", "DENY");
    if (!reply.hasHeader("referrer-policy")) reply.header("referrer-policy", "no-referrer");
    if (!reply.hasHeader("cache-control")) reply.header("cache-control", "no-store").header("pragma", "no-cache");
    if (strictTransport) reply.header("strict-transport-security", "max-age=31536000; includeSubDomains");
  });

  // 3. Metrics by route template, so ids in URLs do not explode label cardinality.
  app.addHook("onResponse", async (request, reply) => {
    const route = request.routeOptions.url ?? "unmatched";
    metrics.httpRequests.inc({ method: request.method, route, status: String(reply.statusCode) });
    metrics.httpDuration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
  });

  // 4. The OpenAPI 3.1 document is generated from the same TypeBox schemas that validate requests.
  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: { title: "Gatehouse API", version: "0.1.0", description: "Identity and access: accounts, passwords, sessions and tokens." },
      servers: [{ url: config.http.baseUrl }],
      components: { securitySchemes: { bearerAuth: { type: "http", scheme: "bearer", bearerFormat: "JWT" } } },
    },
  });
  await app.register(swaggerUi, { routePrefix: "/docs" });
  app.get("/openapi.json", { schema: { hide: true } }, async () => app.swagger());

  // 5. Feature modules.
  const authenticate = createAuthenticate(gatehouse.sessions);
  await app.register(opsRoutes, { ping: () => gatehouse.database.ping(), registry: metrics.registry });
  await app.register(tokensRoutes, { keys: gatehouse.signingKeys, cacheMaxAgeSeconds: config.tokens.jwksMaxAgeSeconds });
  await app.register(accountsRoutes, { accounts: gatehouse.accounts, identities: gatehouse.identities, limiter: gatehouse.limiter, rules: gatehouse.rules, authenticate });
  await app.register(identitiesRoutes, { identities: gatehouse.identities, authenticate });
  await app.register(sessionsRoutes, { sessions: gatehouse.sessions });
  await app.register(passwordsRoutes, { passwords: gatehouse.passwords, authenticate });
  await app.register(passwordlessRoutes, { passwordless: gatehouse.passwordless });
  await app.register(loginHistoryRoutes, { loginHistory: gatehouse.loginHistory, authenticate });
  await app.register(hostedPagesRoutes, {
    accounts: gatehouse.accounts,
    identities: gatehouse.identities,
    passwords: gatehouse.passwords,
    passwordless: gatehouse.passwordless,
    productName: config.mail.productName,
    signInRedirectUrl: config.passwordless.signInRedirectUrl,
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
  if (config.mail.devMailbox) await app.register(mailboxRoutes, { outbox: gatehouse.outbox });
  // Operator routes exist only with GATEHOUSE_ADMIN_TOKEN (no roles yet): an unset token leaves no door to guess at.
  if (config.admin.token) await app.register(adminRoutes, { token: config.admin.token, outbox: gatehouse.outbox, dispatch: gatehouse.mailer.dispatch });

  await app.ready();
  return Object.assign(app, { drainAndClose });
}
