import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { preHandlerAsyncHookHandler } from "fastify";
import { Type } from "typebox";
import { requestContext } from "../../kernel/http/request-context.js";
import { AcceptedResponse, errorResponses, PasswordInput, SecretInput } from "../../kernel/http/schemas.js";
import { caller } from "../sessions/index.js";
import { AppError } from "../../kernel/errors/app-error.js";
import { AccountErrors } from "./errors.js";
import { EmailInput, UserSchema, UsernameInput } from "./schemas.js";
import type { AccountsService } from "./service.js";

const tags = ["accounts"];
const ACCEPTED = { message: "If an account matches, we have sent it an email." };

export const accountsRoutes: FastifyPluginAsyncTypebox<{ accounts: AccountsService; authenticate: preHandlerAsyncHookHandler }> = async (app, { accounts, authenticate }) => {
  app.post(
    "/v1/users",
    {
      schema: {
        tags,
        summary: "Register with email and password",
        description: "Sends a confirmation link to the address. Sign in afterwards with POST /v1/sessions.",
        body: Type.Object(
          {
            email: EmailInput,
            password: PasswordInput,
            passwordConfirmation: PasswordInput,
            username: Type.Optional(UsernameInput),
            name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
            metadata: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: "Application data, at most 16 KB of JSON." })),
          },
          { additionalProperties: false },
        ),
        response: { 201: Type.Object({ user: UserSchema }), ...errorResponses(400, 409, 429) },
      },
    },
    async (request, reply) => reply.code(201).send({ user: await accounts.register(request.body, requestContext(request)) }),
  );

  app.post(
    "/v1/email-confirmations",
    {
      schema: {
        tags,
        summary: "Confirm an email address with the emailed token",
        body: Type.Object({ token: SecretInput }, { additionalProperties: false }),
        response: { 200: Type.Object({ user: UserSchema }), ...errorResponses(400) },
      },
    },
    async (request) => ({ user: await accounts.confirmEmail(request.body.token, requestContext(request)) }),
  );

  app.post(
    "/v1/email-confirmations/resend",
    {
      schema: {
        tags,
        summary: "Send a new confirmation link (always 202)",
        body: Type.Object({ email: EmailInput }, { additionalProperties: false }),
        response: { 202: AcceptedResponse, ...errorResponses(400, 429) },
      },
    },
    async (request, reply) => {
      await accounts.resendConfirmation(request.body.email, requestContext(request));
      return reply.code(202).send(ACCEPTED);
    },
  );

  app.post(
    "/v1/username-reminders",
    {
      schema: {
        tags,
        summary: "Email me my username (always 202)",
        body: Type.Object({ email: EmailInput }, { additionalProperties: false }),
        response: { 202: AcceptedResponse, ...errorResponses(400, 429) },
      },
    },
    async (request, reply) => {
      await accounts.sendUsernameReminder(request.body.email, requestContext(request));
      return reply.code(202).send(ACCEPTED);
    },
  );

  app.get(
    "/v1/me",
    { preHandler: authenticate, schema: { tags, security: [{ bearerAuth: [] }], summary: "The signed-in user", response: { 200: Type.Object({ user: UserSchema }), ...errorResponses(401) } } },
    async (request) => {
      const user = await accounts.getById(caller(request).userId);
      if (!user) throw new AppError(AccountErrors.user_not_found);
      return { user };
    },
  );
};

export { PasswordInput };
