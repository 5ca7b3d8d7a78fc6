import { IdentityErrors } from "../identities/index.js";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { FastifyReply, FastifyRequest } from "fastify";
import { AppError, type ErrorDefinition } from "../../kernel/errors/app-error.js";
import { KernelErrors } from "../../kernel/errors/kernel-errors.js";
import { registerErrorHandler } from "../../kernel/http/error-handler.js";
import { requestContext } from "../../kernel/http/request-context.js";
import { AuthenticatorErrors, passwordPolicyErrors } from "../authenticators/index.js";
import { PasswordErrors } from "../passwords/index.js";
import { SessionErrors } from "../sessions/index.js";
import {
  AccessTokenHeaders,
  accesspassErrors,
  accessPassErrorShape,
  accessTokenErrors,
  ChangePasswordBody,
  ConfirmBody,
  ForgotUsernameBody,
  LoginBody,
  MessageResponse,
  MetaResponse,
  RefreshTokenHeaders,
  RegisterBody,
  registrationErrors,
  ResetPasswordBody,
  toAccessPassTokens,
  TokensResponse,
} from "./schemas.js";
import { createAccessPassService, type AccessPassDeps } from "./service.js";

const tags = ["accesspass"];

/** AccessPass's documented success messages (its controller's words). */
const Messages = {
  confirmed: "email confirmed",
  resetSent: "password reset sent to accounts email",
  loggedOut: "logged out",
  passwordChanged: "password changed",
  usernameSent: "An email has been sent to you with your username",
} as const;

interface FieldProblem {
  path?: string;
  message?: string;
  field?: string;
}

/** AccessPass has one error field, a sentence; validation problems are folded into it. */
function describeError(error: AppError): string {
  if (error.code !== KernelErrors.validation_failed.code || !Array.isArray(error.details)) return error.message;
  const byPath = new Map<string, string[]>();
  for (const problem of error.details as FieldProblem[]) {
    const path = problem.path ?? "body";
    const text = problem.field ? `has an unknown field "${problem.field}"` : (problem.message ?? "is invalid");
    byPath.set(path, [...(byPath.get(path) ?? []), text]);
  }
  // A union reports each branch and then "must match a schema in anyOf"; the branches say more.
  const sentences = [...byPath].map(([path, texts]) => {
    const specific = texts.length > 1 ? texts.filter((text) => !text.includes("anyOf")) : texts;
    return `${path} ${specific.join(" or ")}`;
  });
  return `The request is not valid: ${sentences.join("; ")}.`;
}

function renderAccessPassError(reply: FastifyReply, error: AppError): FastifyReply {
  if (error.retryAfterSeconds !== undefined) reply.header("retry-after", String(error.retryAfterSeconds));
  return reply
    .code(error.status)
    .type("application/json; charset=utf-8")
    .send({ error: describeError(error) });
}

/**
 * A token header. AccessPass documents `access-token` / `refresh-token`, while its Plug reads
 * `access_token` / `refresh_token`; clients written against either keep working.
 */
function tokenHeader(request: FastifyRequest, name: "access-token" | "refresh-token", missing: ErrorDefinition): string {
  const value = request.headers[name] ?? request.headers[name.replace("-", "_")];
  const token = typeof value === "string" ? value.trim() : "";
  if (!token) throw new AppError(missing);
  return token;
}

export type AccessPassRoutesOptions = AccessPassDeps;

/**
 * The AccessPass-compatible routes, mounted under the configured prefix. Registered with the
 * empty prefix they sit at the root: 404s there stay the server's, so only errors are claimed.
 */
export const accesspassRoutes: FastifyPluginAsyncTypebox<AccessPassRoutesOptions> = async (app, options) => {
  const accesspass = createAccessPassService(options);

  // At the root, unknown URLs stay the server's 404s; under a prefix they are AccessPass's.
  registerErrorHandler(app, renderAccessPassError, { notFound: app.prefix !== "", shape: accessPassErrorShape });

  app.get(
    "/check",
    {
      schema: {
        tags,
        operationId: "checkAccessPassToken",
        summary: "Check an access token; returns the `meta` stored at registration",
        headers: AccessTokenHeaders,
        response: { 200: MetaResponse, ...accesspassErrors(...accessTokenErrors) },
      },
    },
    async (request) => ({ ok: await accesspass.check(tokenHeader(request, "access-token", KernelErrors.unauthenticated)) }),
  );

  app.get(
    "/refresh",
    {
      schema: {
        tags,
        operationId: "refreshAccessPassToken",
        summary: "Exchange a refresh token for a new access token and a new refresh token",
        description: "A refresh token works once. Presenting a spent one ends its session (reuse detection).",
        headers: RefreshTokenHeaders,
        response: { 200: TokensResponse, ...accesspassErrors(SessionErrors.invalid_refresh_token, SessionErrors.refresh_token_reused) },
      },
    },
    async (request) =>
      toAccessPassTokens(await accesspass.refresh(tokenHeader(request, "refresh-token", SessionErrors.invalid_refresh_token), requestContext(request))),
  );

  app.post(
    "/register",
    {
      schema: {
        tags,
        operationId: "registerAccessPassUser",
        summary: "Register with username, email and password; signs in at once",
        description: "Emails a confirmation link whose `token` is the `confirm_id` of POST /confirm.",
        body: RegisterBody,
        response: { 200: TokensResponse, ...accesspassErrors(...registrationErrors, SessionErrors.email_not_confirmed) },
      },
    },
    async (request) => {
      const { username, email, password, password_confirm, meta } = request.body;
      return toAccessPassTokens(await accesspass.register({ username, email, password, passwordConfirm: password_confirm, meta }, requestContext(request)));
    },
  );

  app.post(
    "/confirm",
    {
      schema: {
        tags,
        operationId: "confirmAccessPassEmail",
        summary: "Confirm an email address with the emailed confirm_id",
        body: ConfirmBody,
        response: { 200: MessageResponse, ...accesspassErrors(IdentityErrors.invalid_confirmation_token) },
      },
    },
    async (request) => {
      await accesspass.confirm(request.body.confirm_id, requestContext(request));
      return { ok: Messages.confirmed };
    },
  );

  app.post(
    "/login",
    {
      schema: {
        tags,
        operationId: "logInToAccessPass",
        summary: "Sign in with username or email (case-insensitive) and password",
        body: LoginBody,
        response: {
          200: TokensResponse,
          ...accesspassErrors(SessionErrors.invalid_credentials, SessionErrors.email_not_confirmed, KernelErrors.rate_limited, KernelErrors.server_busy),
        },
      },
    },
    async (request) => toAccessPassTokens(await accesspass.login(request.body, requestContext(request))),
  );

  app.post(
    "/reset_password",
    {
      schema: {
        tags,
        operationId: "resetAccessPassPassword",
        summary: "Email a password-reset link (ok whether or not the account exists)",
        description:
          "The link's `token` is the `password_id` of POST /change_password; it works once and expires after GATEHOUSE_PASSWORD_RESET_TTL_SECONDS (an hour).",
        body: ResetPasswordBody,
        response: { 200: MessageResponse, ...accesspassErrors(KernelErrors.rate_limited) },
      },
    },
    async (request) => {
      await accesspass.resetPassword(request.body.username, requestContext(request));
      return { ok: Messages.resetSent };
    },
  );

  app.post(
    "/logout",
    {
      schema: {
        tags,
        operationId: "logOutOfAccessPass",
        summary: "End the session of an access token: the access token and its refresh token stop working at once",
        headers: AccessTokenHeaders,
        response: { 200: MessageResponse, ...accesspassErrors(...accessTokenErrors, SessionErrors.session_not_found) },
      },
    },
    async (request) => {
      await accesspass.logout(tokenHeader(request, "access-token", KernelErrors.unauthenticated), requestContext(request));
      return { ok: Messages.loggedOut };
    },
  );

  app.post(
    "/change_password",
    {
      schema: {
        tags,
        operationId: "changeAccessPassPassword",
        summary: "Set a new password with the emailed password_id; ends every session",
        body: ChangePasswordBody,
        response: {
          200: MessageResponse,
          ...accesspassErrors(
            AuthenticatorErrors.password_confirmation_mismatch,
            PasswordErrors.invalid_reset_token,
            ...passwordPolicyErrors,
            KernelErrors.server_busy,
          ),
        },
      },
    },
    async (request) => {
      const { password_id, new_password, password_confirm } = request.body;
      await accesspass.changePassword({ passwordId: password_id, newPassword: new_password, passwordConfirm: password_confirm }, requestContext(request));
      return { ok: Messages.passwordChanged };
    },
  );

  app.post(
    "/forgot_username",
    {
      schema: {
        tags,
        operationId: "remindAccessPassUsername",
        summary: "Email me my username (ok whether or not the address has an account)",
        body: ForgotUsernameBody,
        response: { 200: MessageResponse, ...accesspassErrors(KernelErrors.rate_limited) },
      },
    },
    async (request) => {
      await accesspass.forgotUsername(request.body.email, requestContext(request));
      return { ok: Messages.usernameSent };
    },
  );
};
