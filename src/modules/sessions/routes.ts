import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { requestContext } from "../../kernel/http/request-context.js";
import { errorResponses, LoginInput, PasswordInput, SecretInput, Uuid } from "../../kernel/http/schemas.js";
import { caller, createAuthenticate } from "./authenticate.js";
import { SessionGrantSchema, SessionSchema } from "./schemas.js";
import type { SessionsService } from "./service.js";

const tags = ["sessions"];
const bearer = [{ bearerAuth: [] }];

export const sessionsRoutes: FastifyPluginAsyncTypebox<{ sessions: SessionsService }> = async (app, { sessions }) => {
  const authenticate = createAuthenticate(sessions);

  app.post(
    "/v1/sessions",
    {
      schema: {
        tags,
        summary: "Sign in with email or username and password",
        body: Type.Object({ login: LoginInput, password: PasswordInput }, { additionalProperties: false }),
        response: { 201: SessionGrantSchema, ...errorResponses(400, 401, 403, 429) },
      },
    },
    async (request, reply) => reply.code(201).send(await sessions.signInWithPassword(request.body, requestContext(request))),
  );

  app.post(
    "/v1/sessions/sign-in-token",
    {
      schema: {
        tags,
        summary: "Exchange a short-lived sign-in token for a session",
        body: Type.Object({ signInToken: SecretInput }, { additionalProperties: false }),
        response: { 201: SessionGrantSchema, ...errorResponses(400, 401) },
      },
    },
    async (request, reply) => reply.code(201).send(await sessions.signInWithToken(request.body.signInToken, requestContext(request))),
  );

  app.post(
    "/v1/sessions/refresh",
    {
      schema: {
        tags,
        summary: "Rotate a refresh token: returns a new access token and a new refresh token",
        description: "A refresh token works once. Presenting a spent one ends its session (reuse detection).",
        body: Type.Object({ refreshToken: SecretInput }, { additionalProperties: false }),
        response: { 200: SessionGrantSchema, ...errorResponses(400, 401) },
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
        security: bearer,
        summary: "List my live sessions",
        response: { 200: Type.Object({ sessions: Type.Array(Type.Intersect([SessionSchema, Type.Object({ current: Type.Boolean() })])) }), ...errorResponses(401) },
      },
    },
    async (request) => {
      const { userId, sessionId } = caller(request);
      return { sessions: (await sessions.list(userId)).map((s) => ({ ...s, current: s.id === sessionId })) };
    },
  );

  app.delete(
    "/v1/sessions/current",
    { preHandler: authenticate, schema: { tags, security: bearer, summary: "Sign out: end this session, its refresh tokens and its access tokens", response: { 204: Type.Null(), ...errorResponses(401) } } },
    async (request, reply) => {
      const { userId, sessionId } = caller(request);
      await sessions.revoke(userId, sessionId, requestContext(request));
      return reply.code(204).send(null);
    },
  );

  app.post(
    "/v1/sessions/revoke-others",
    {
      preHandler: authenticate,
      schema: { tags, security: bearer, summary: "End every session of mine except this one", response: { 200: Type.Object({ revoked: Type.Integer() }), ...errorResponses(401) } },
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
      schema: { tags, security: bearer, summary: "End one of my sessions", params: Type.Object({ sessionId: Uuid }), response: { 204: Type.Null(), ...errorResponses(400, 401, 404) } },
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
        security: bearer,
        summary: "Issue a short-lived, single-use sign-in token for me (hand-off to another app or device)",
        response: { 201: Type.Object({ signInToken: Type.String(), expiresIn: Type.Integer() }), ...errorResponses(401) },
      },
    },
    async (request, reply) => {
      const issued = await sessions.issueSignInToken(caller(request).userId, requestContext(request));
      return reply.code(201).send({ signInToken: issued.token, expiresIn: issued.expiresIn });
    },
  );
};
