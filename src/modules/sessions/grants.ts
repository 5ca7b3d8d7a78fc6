import { digestToken, generateId, generateSecretToken } from "../../kernel/crypto/random.js";
import type { Executor } from "../../kernel/db/database.js";
import { addSeconds, type Clock } from "../../kernel/time/clock.js";
import type { AuthzService } from "../authz/index.js";
import type { AccessTokens } from "../tokens/index.js";
import { insertRefreshToken } from "./store.js";
import type { SessionRow } from "./tables.js";
import { toSession, type SessionGrant } from "./views.js";

/** What a grant needs from the transaction that makes it; the access token is signed after commit. */
export interface PendingGrant {
  session: SessionRow;
  roles: string[];
  refreshToken: string;
  refreshExpiresIn: number;
}

/** A refresh token's remaining lifetime as `refresh_expire_in` reports it: 0 means it never expires. */
export const secondsLeft = (expiresAt: Date | null, now: Date) => (expiresAt ? Math.max(0, Math.round((expiresAt.getTime() - now.getTime()) / 1000)) : 0);

export type Grants = ReturnType<typeof createGrants>;

/** Refresh tokens and access tokens for a session: what every sign-in and refresh hands the client. */
export function createGrants(deps: { clock: Clock; accessTokens: AccessTokens; authz: AuthzService; refreshTokenTtlSeconds: number }) {
  const { clock, accessTokens, authz } = deps;

  const newRefreshToken = async (executor: Executor, session: SessionRow, parentId: string | null) => {
    const refreshToken = generateSecretToken();
    const now = clock.now();
    const ttl = deps.refreshTokenTtlSeconds;
    const expiresAt = ttl === 0 ? null : new Date(Math.min(addSeconds(now, ttl).getTime(), session.expiresAt.getTime()));
    await insertRefreshToken(executor, { id: generateId(), sessionId: session.id, parentId, tokenHash: digestToken(refreshToken), createdAt: now, expiresAt });
    return { refreshToken, refreshExpiresIn: secondsLeft(expiresAt, now) };
  };

  const issueAccessToken = (session: Pick<SessionRow, "id" | "userId" | "authenticatedAt">, roles: string[]) =>
    accessTokens.issue({ subject: session.userId, sessionId: session.id, roles, authenticatedAt: session.authenticatedAt });

  return {
    issueAccessToken,

    /** Inside the transaction: a refresh token (child of `parentId`, when rotating) and the roles. */
    async prepare(executor: Executor, session: SessionRow, parentId: string | null): Promise<PendingGrant> {
      const roles = await authz.roleNamesFor(executor, session.userId);
      return { session, roles, ...(await newRefreshToken(executor, session, parentId)) };
    },

    async complete({ session, roles, refreshToken, refreshExpiresIn }: PendingGrant): Promise<SessionGrant> {
      const access = await issueAccessToken(session, roles);
      return {
        tokenType: "Bearer",
        accessToken: access.token,
        expiresIn: access.expiresInSeconds,
        refreshToken,
        refreshExpiresIn,
        session: toSession(session),
      };
    },
  };
}
