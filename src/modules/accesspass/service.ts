import { AppError } from "../../kernel/errors/app-error.js";
import type { RequestContext } from "../../kernel/http/request-context.js";
import { AccountErrors, type AccountsService } from "../accounts/index.js";
import type { PasswordsService } from "../passwords/index.js";
import { SessionErrors, type SessionGrant, type SessionsService } from "../sessions/index.js";
import { TokenErrors } from "../tokens/index.js";

export interface AccessPassDeps {
  accounts: AccountsService;
  sessions: SessionsService;
  passwords: PasswordsService;
  /** GATEHOUSE_REQUIRE_EMAIL_CONFIRMATION: no session before the address is confirmed. */
  requireEmailConfirmation: boolean;
}

export interface AccessPassRegistration {
  username: string;
  email: string;
  password: string;
  passwordConfirm: string;
  meta?: Record<string, unknown> | null;
}

/**
 * AccessPass's nine operations, each a composition of the core services: every rule (password
 * policy, throttling, enumeration safety, audit, mail) is the core's, none is restated here.
 */
export interface AccessPassService {
  /**
   * Creates the account (the core emails the confirmation link) and starts a session, as
   * AccessPass's register does. When email confirmation is required, the account is created but
   * no session is started: throws email_not_confirmed. Also throws the core's registration errors.
   */
  register(input: AccessPassRegistration, context: RequestContext): Promise<SessionGrant>;
  /** Password sign-in by username or email. Throws invalid_credentials, email_not_confirmed, rate_limited. */
  login(input: { username: string; password: string }, context: RequestContext): Promise<SessionGrant>;
  /** The `meta` stored at registration, for a live access token. Throws invalid_token. */
  check(accessToken: string): Promise<Record<string, unknown>>;
  /** Rotates a refresh token. Throws invalid_refresh_token, refresh_token_reused. */
  refresh(refreshToken: string, context: RequestContext): Promise<SessionGrant>;
  /** Ends the access token's session: the access token and every refresh token of it stop working at once. */
  logout(accessToken: string, context: RequestContext): Promise<void>;
  /** Consumes an emailed confirmation id. Throws invalid_confirmation_token. */
  confirm(confirmId: string, context: RequestContext): Promise<void>;
  /** Emails a reset link when the username (or email) names an account; silent otherwise. */
  resetPassword(username: string, context: RequestContext): Promise<void>;
  /** Sets a new password with an emailed reset id (single use). Throws invalid_reset_token, password policy errors. */
  changePassword(input: { passwordId: string; newPassword: string; passwordConfirm: string }, context: RequestContext): Promise<void>;
  /** Emails the username when the address belongs to an account; silent otherwise. */
  forgotUsername(email: string, context: RequestContext): Promise<void>;
}

export function createAccessPassService(deps: AccessPassDeps): AccessPassService {
  const { accounts, sessions, passwords } = deps;

  /**
   * A registration refused as taken, while confirmation is required, may be its own retry (the
   * first answer was 403 and said to confirm): with the same password, the confirmation is sent
   * again and the answer stays 403 — or, once confirmed, the user is signed in. Anyone else keeps
   * the 409, and learns nothing more than the first registration would have told them.
   */
  const retriedRegistration = async (error: unknown, input: AccessPassRegistration, context: RequestContext): Promise<SessionGrant> => {
    const taken = error instanceof AppError && (error.code === AccountErrors.email_taken.code || error.code === AccountErrors.username_taken.code);
    if (!taken) throw error;
    try {
      return await sessions.signInWithPassword({ login: input.email, password: input.password }, context);
    } catch (signInError) {
      if (!(signInError instanceof AppError) || signInError.code !== SessionErrors.email_not_confirmed.code) throw error;
      await accounts.resendConfirmation(input.email, context);
      throw signInError;
    }
  };

  return {
    async register(input, context) {
      const registration = {
        email: input.email,
        username: input.username,
        password: input.password,
        passwordConfirmation: input.passwordConfirm,
        metadata: input.meta ?? {},
      };
      // The core refuses password sign-in to unconfirmed addresses under this policy; a session
      // handed out at registration would step around it.
      if (deps.requireEmailConfirmation) {
        try {
          await accounts.register(registration, context);
        } catch (error) {
          return retriedRegistration(error, input, context);
        }
        throw new AppError(SessionErrors.email_not_confirmed);
      }
      // Account and session commit together: a crash in between cannot leave an account whose retry is refused as taken.
      let grant: SessionGrant | null = null;
      await accounts.register(registration, context, {
        inTransaction: async (tx, user) => void (grant = await sessions.completeSignIn(tx, { userId: user.id, method: "registration", amr: ["pwd"] }, context)),
      });
      return grant!;
    },

    login: ({ username, password }, context) => sessions.signInWithPassword({ login: username, password }, context),

    async check(accessToken) {
      const { userId } = await sessions.authenticate(accessToken);
      const user = await accounts.getById(userId);
      if (!user) throw new AppError(TokenErrors.invalid_token);
      return user.metadata;
    },

    refresh: (refreshToken, context) => sessions.refresh(refreshToken, context),

    async logout(accessToken, context) {
      const { userId, sessionId } = await sessions.authenticate(accessToken);
      await sessions.revoke(userId, sessionId, context);
    },

    async confirm(confirmId, context) {
      await accounts.confirmEmail(confirmId, context);
    },

    resetPassword: (username, context) => passwords.requestReset(username, context),

    changePassword: ({ passwordId, newPassword, passwordConfirm }, context) =>
      passwords.completeReset({ token: passwordId, password: newPassword, passwordConfirmation: passwordConfirm }, context),

    forgotUsername: (email, context) => accounts.sendUsernameReminder(email, context),
  };
}
