import cookie, { type CookieSerializeOptions } from "@fastify/cookie";
import csrfProtection from "@fastify/csrf-protection";
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler, preValidationHookHandler } from "fastify";
import { AppError } from "../errors/app-error.js";
import { KernelErrors } from "../errors/kernel-errors.js";

/**
 * Protection of browser form posts against cross-site request forgery, login CSRF included (a
 * forged sign-in puts the victim's browser in the attacker's account). Two independent checks,
 * both required (OWASP CSRF Prevention Cheat Sheet):
 *
 * 1. The browser's own word on where the request comes from: `Sec-Fetch-Site` must not be
 *    `cross-site` or `same-site` (a sibling subdomain is not this origin), and `Origin`, when sent,
 *    must be GATEHOUSE_BASE_URL's origin. Pages use `Referrer-Policy: strict-origin`, so the
 *    browser sends the real origin (under `no-referrer` it sends `Origin: null`, which is refused).
 * 2. A synchronizer token (@fastify/csrf-protection): a secret in an HttpOnly cookie and a token
 *    derived from it in a hidden `_csrf` form field; a foreign site can read neither.
 */
export const CSRF_FIELD = "_csrf";

/**
 * Attributes of every cookie Gatehouse sets in a browser. Over HTTPS the `__Host-` prefix makes the
 * browser refuse the cookie unless it is Secure, host-only and for path / — so neither a sibling
 * subdomain nor a plain-HTTP network attacker can plant one (a planted CSRF secret defeats check 2).
 * SameSite=Lax keeps cookies off cross-site POSTs while an emailed link (a top-level GET) still
 * finds its page's cookies.
 */
export function browserCookie(baseUrl: string, name: string): { name: string; options: CookieSerializeOptions } {
  const secure = new URL(baseUrl).protocol === "https:";
  return { name: secure ? `__Host-${name}` : name, options: { path: "/", httpOnly: true, sameSite: "lax", secure } };
}

/** Check 1: refuses a request a browser says comes from another site, before its body is used. */
export function createSameOriginCheck(baseUrl: string): (request: FastifyRequest) => Promise<void> {
  const origin = new URL(baseUrl).origin;
  return async (request) => {
    const site = request.headers["sec-fetch-site"];
    if (site === "cross-site" || site === "same-site") throw new AppError(KernelErrors.cross_site_request);
    const sentOrigin = request.headers.origin;
    if (sentOrigin !== undefined && sentOrigin !== origin) throw new AppError(KernelErrors.cross_site_request);
  };
}

export interface CsrfGuard {
  /**
   * Hooks for a form POST route: the origin check as soon as the request arrives (it needs no
   * body), the token check once the form is parsed and before it is validated or used.
   */
  routeOptions: { onRequest: onRequestHookHandler; preValidation: preValidationHookHandler };
  /** A token for the form about to be rendered; sets the secret cookie if the browser has none. */
  tokenFor(reply: FastifyReply): string;
}

/**
 * Registers cookies and the CSRF token plugin on `app` (an encapsulated plugin: only its routes
 * parse cookies). Failed token checks surface as FST_CSRF_* errors, which the error handler maps
 * to `invalid_csrf_token`.
 */
export async function registerCsrfGuard(app: FastifyInstance, options: { baseUrl: string }): Promise<CsrfGuard> {
  await app.register(cookie);
  const secretCookie = browserCookie(options.baseUrl, "gatehouse_csrf");
  await app.register(csrfProtection, {
    cookieKey: secretCookie.name,
    cookieOpts: secretCookie.options,
    // Forms only: the token travels in the body, never in a header or a URL.
    getToken: (request) => {
      const token = (request.body as Record<string, unknown> | undefined)?.[CSRF_FIELD];
      return typeof token === "string" ? token : undefined;
    },
    logLevel: "info",
  });
  const sameOrigin = createSameOriginCheck(options.baseUrl);
  return {
    routeOptions: { onRequest: async (request) => sameOrigin(request), preValidation: app.csrfProtection },
    tokenFor: (reply) => reply.generateCsrf(),
  };
}
