import type { FastifyReply, FastifyRequest } from "fastify";
import { AppError } from "../../kernel/errors/app-error.js";
import { browserCookie } from "../../kernel/http/csrf.js";
import type { RequestContext } from "../../kernel/http/request-context.js";
import type { SessionGrant, SessionsService } from "../sessions/index.js";

/**
 * A Gatehouse session held by a browser for the hosted account page: the same session, access
 * token and refresh token the JSON API hands out, kept in one HttpOnly cookie (no script can read
 * it; it never appears in a URL or a page). The value is `<refresh token>.<access token>`: the
 * refresh token is base64url, so the first dot ends it.
 */
export interface BrowserSessions {
  /** Stores a new grant in the browser, replacing whatever was there. */
  hold(reply: FastifyReply, grant: SessionGrant): void;
  /**
   * The browser's live session, refreshing the access token when it has expired (the refresh
   * token rotates, as for any client). Null, and the cookie cleared, when there is none.
   */
  resume(request: FastifyRequest, reply: FastifyReply, context: RequestContext): Promise<{ userId: string; sessionId: string } | null>;
  /** Ends the browser's session, if any, and clears the cookie. */
  end(request: FastifyRequest, reply: FastifyReply, context: RequestContext): Promise<void>;
}

const COOKIE_VALUE = /^([A-Za-z0-9_-]{16,256})\.([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/;

export function createBrowserSessions(sessions: SessionsService, baseUrl: string): BrowserSessions {
  const cookie = browserCookie(baseUrl, "gatehouse_session");

  const read = (request: FastifyRequest) => {
    const match = COOKIE_VALUE.exec(request.cookies[cookie.name] ?? "");
    return match ? { refreshToken: match[1]!, accessToken: match[2]! } : null;
  };
  const clear = (reply: FastifyReply) => reply.clearCookie(cookie.name, cookie.options);
  const hold = (reply: FastifyReply, grant: SessionGrant) =>
    void reply.setCookie(cookie.name, `${grant.refreshToken}.${grant.accessToken}`, { ...cookie.options, expires: grant.session.expiresAt });

  // Only Gatehouse's own refusals mean "no session"; anything else (the database is down) is a 500.
  const refused = (error: unknown) => {
    if (error instanceof AppError && error.status < 500) return null;
    throw error;
  };

  const resume: BrowserSessions["resume"] = async (request, reply, context) => {
    const held = read(request);
    if (!held) {
      if (request.cookies[cookie.name] !== undefined) clear(reply);
      return null;
    }
    const live = await sessions.authenticate(held.accessToken).catch(refused);
    if (live) return { userId: live.userId, sessionId: live.sessionId };
    const grant = await sessions.refresh(held.refreshToken, context).catch(refused);
    if (!grant) {
      clear(reply);
      return null;
    }
    hold(reply, grant);
    return { userId: grant.session.userId, sessionId: grant.session.id };
  };

  return {
    hold,
    resume,
    async end(request, reply, context) {
      const current = await resume(request, reply, context);
      if (current) await sessions.revoke(current.userId, current.sessionId, context).catch(refused);
      clear(reply);
    },
  };
}
