import { addressErrors } from "../../kernel/addresses/errors.js";
import { IdentityErrors } from "../identities/index.js";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { preHandlerAsyncHookHandler } from "fastify";
import { Type } from "typebox";
import { bearerToken, caller } from "../../kernel/http/principal.js";
import { requestContext } from "../../kernel/http/request-context.js";
import { AcceptedResponse, DateTime, errorResponses, LoginInput, PasswordInput, SecretInput, Uuid } from "../../kernel/http/schemas.js";
import { KernelErrors } from "../../kernel/errors/kernel-errors.js";
import { AuthenticatorErrors } from "../authenticators/index.js";

import { CodeInput, IdentityTypeInput, IdentityValueInput } from "../../kernel/http/inputs.js";
import { codeErrors, TokenErrors } from "../tokens/index.js";
import { SessionErrors } from "./errors.js";
import { SessionGrantSchema, SessionSchema } from "./schemas.js";
import type { SessionsService } from "./service.js";

const tags = ["sessions"];
const bearer = [{ bearerAuth: [] }];

export const sessionsRoutes: FastifyPluginAsyncTypebox<{ sessions: SessionsService; authenticate: preHandlerAsyncHookHandler }> = async (
  app,
  { sessions, authenticate },
) => {
  app.post(
    "/v1/sessions",
    {
      schema: {
        tags,
        operationId: "signIn",
        summary: "Sign in with email or username and password",
        body: Type.Object(
          { login: LoginInput, password: PasswordInput },
          { additionalProperties: false, examples: [{ login: "ada@example.com", password: "plum-otter-lantern-42" }] },
        ),
        response: {
          201: SessionGrantSchema,
          ...errorResponses(SessionErrors.invalid_credentials, SessionErrors.email_not_confirmed, KernelErrors.rate_limited, KernelErrors.server_busy),
        },
      },
    },
    async (request, reply) => reply.code(201).send(await sessions.signInWithPassword(request.body, requestContext(request))),
  );

  app.post(
    "/v1/sessions/sign-in-token",
    {
      schema: {
        tags,
        operationId: "signInWithToken",
        summary: "Exchange a short-lived sign-in token for a session",
        body: Type.Object({ signInToken: SecretInput }, { additionalProperties: false, examples: [{ signInToken: "example-sign-in-token" }] }),
        response: { 201: SessionGrantSchema, ...errorResponses(SessionErrors.invalid_sign_in_token) },
      },
    },
    async (request, reply) => reply.code(201).send(await sessions.signInWithToken(request.body.signInToken, requestContext(request))),
  );

  app.post(
    "/v1/sessions/refresh",
    {
      schema: {
        tags,
        operationId: "refreshSession",
        summary: "Rotate a refresh token: returns a new access token and a new refresh token",
        description: "A refresh token works once. Presenting a spent one ends its session (reuse detection).",
        body: Type.Object({ refreshToken: SecretInput }, { additionalProperties: false, examples: [{ refreshToken: "example-refresh-token" }] }),
        response: { 200: SessionGrantSchema, ...errorResponses(SessionErrors.invalid_refresh_token, SessionErrors.refresh_token_reused) },
      },
    },
    async (request) => sessions.refresh(request.body.refreshToken, requestContext(request)),
  );

  app.get(
    "/v1/sessions",
    {
      preHandler: authenticate,
      schema: {
        tags,
        operationId: "listMySessions",
        security: bearer,
        summary: "List my live sessions",
        response: {
          200: Type.Object({
            sessions: Type.Array(
              Type.Intersect([SessionSchema, Type.Object({ current: Type.Boolean({ description: "True for the session of this request." }) })]),
            ),
          }),
        },
      },
    },
    async (request) => {
      const { userId, sessionId } = caller(request);
      return { sessions: (await sessions.list(userId)).map((s) => ({ ...s, current: s.id === sessionId })) };
    },
  );

  app.delete(
    "/v1/sessions/current",
    {
      preHandler: authenticate,
      schema: {
        tags,
        operationId: "signOut",
        security: bearer,
        summary: "Sign out: end this session, its refresh tokens and its access tokens",
        response: { 204: Type.Null(), ...errorResponses(SessionErrors.session_not_found) },
      },
    },
    async (request, reply) => {
      const { userId, sessionId } = caller(request);
      await sessions.revoke(userId, sessionId, requestContext(request));
      return reply.code(204).send(null);
    },
  );

  app.delete(
    "/v1/sessions/current/access-token",
    {
      preHandler: authenticate,
      schema: {
        tags,
        operationId: "revokeMyAccessToken",
        security: bearer,
        summary: "Revoke this access token only: it stops working at once; the session and its refresh token live on",
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      await sessions.revokeAccessToken(bearerToken(request)!, requestContext(request));
      return reply.code(204).send(null);
    },
  );

  app.post(
    "/v1/sessions/revoke-others",
    {
      preHandler: authenticate,
      schema: {
        tags,
        operationId: "revokeMyOtherSessions",
        security: bearer,
        summary: "End every session of mine except this one",
        response: { 200: Type.Object({ revoked: Type.Integer() }) },
      },
    },
    async (request) => {
      const { userId, sessionId } = caller(request);
      return { revoked: await sessions.revokeOthers(userId, sessionId, requestContext(request)) };
    },
  );

  app.delete(
    "/v1/sessions/:sessionId",
    {
      preHandler: authenticate,
      schema: {
        tags,
        operationId: "revokeMySession",
        security: bearer,
        summary: "End one of my sessions",
        params: Type.Object({ sessionId: Uuid }),
        response: { 204: Type.Null(), ...errorResponses(SessionErrors.session_not_found) },
      },
    },
    async (request, reply) => {
      await sessions.revoke(caller(request).userId, request.params.sessionId, requestContext(request));
      return reply.code(204).send(null);
    },
  );

  app.post(
    "/v1/sign-in-tokens",
    {
      preHandler: authenticate,
      schema: {
        tags,
        operationId: "issueSignInToken",
        security: bearer,
        summary: "Issue a short-lived, single-use sign-in token for me (hand-off to another app or device)",
        response: { 201: Type.Object({ signInToken: Type.String(), expiresIn: Type.Integer({ description: "Seconds until the sign-in token expires." }) }) },
      },
    },
    async (request, reply) => {
      const { userId, sessionId } = caller(request);
      const issued = await sessions.issueSignInToken(userId, requestContext(request), { fromSessionId: sessionId });
      return reply.code(201).send({ signInToken: issued.token, expiresIn: issued.expiresIn });
    },
  );

  app.post(
    "/v1/sessions/current/reauthentication-codes",
    {
      preHandler: authenticate,
      schema: {
        tags,
        operationId: "requestReauthenticationCode",
        security: bearer,
        summary: "Send me a code to confirm it's me (always to one of my own verified identities)",
        description:
          "Without a body the code goes to the primary email address, else to the first verified identity. Enter it at POST /v1/sessions/current/reauthenticate.",
        body: Type.Optional(
          Type.Union(
            [
              Type.Object({}, { additionalProperties: false }),
              Type.Object({ type: IdentityTypeInput, value: IdentityValueInput }, { additionalProperties: false }),
            ],
            {
              examples: [{}, { type: "email", value: "ada@example.com" }],
            },
          ),
        ),
        response: {
          202: AcceptedResponse,
          ...errorResponses(...addressErrors, IdentityErrors.identity_not_found, KernelErrors.rate_limited, TokenErrors.too_many_code_attempts),
        },
      },
    },
    async (request, reply) => {
      const target = request.body && "type" in request.body ? request.body : undefined;
      await sessions.requestReauthenticationCode(caller(request), target, requestContext(request));
      return reply.code(202).send({ message: "We have sent you a code." });
    },
  );

  app.post(
    "/v1/sessions/current/reauthenticate",
    {
      preHandler: authenticate,
      schema: {
        tags,
        operationId: "reauthenticate",
        security: bearer,
        summary: "Confirm it's me with my password or a code: renews this session's authentication time",
        description:
          "Sensitive changes (adding or removing an email address or phone number, changing the email address of an account without a password) " +
          "need an authentication at most GATEHOUSE_REAUTHENTICATION_MAX_AGE_SECONDS old; they answer 403 reauthentication_required otherwise. " +
          "The new access token carries the new `auth_time`; the refresh token is unchanged.",
        body: Type.Union(
          [Type.Object({ password: PasswordInput }, { additionalProperties: false }), Type.Object({ code: CodeInput }, { additionalProperties: false })],
          {
            examples: [{ password: "plum-otter-lantern-42" }, { code: "123456" }],
          },
        ),
        response: {
          200: Type.Object({ tokenType: Type.Literal("Bearer"), accessToken: Type.String(), expiresIn: Type.Integer(), authenticatedAt: DateTime }),
          ...errorResponses(AuthenticatorErrors.invalid_current_password, ...codeErrors, KernelErrors.rate_limited, KernelErrors.server_busy),
        },
      },
    },
    async (request) => sessions.reauthenticate(caller(request), request.body, requestContext(request)),
  );
};
