import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { preHandlerAsyncHookHandler } from "fastify";
import { Type } from "typebox";
import { requestContext } from "../../kernel/http/request-context.js";
import type { RateLimiter } from "../../kernel/rate-limit/rate-limiter.js";
import type { RateRules } from "../../kernel/rate-limit/rules.js";
import { AcceptedResponse, errorResponses, PasswordInput } from "../../kernel/http/schemas.js";
import { caller } from "../../kernel/http/principal.js";
import { AppError } from "../../kernel/errors/app-error.js";
import { KernelErrors } from "../../kernel/errors/kernel-errors.js";
import { AccountErrors, registrationErrors } from "./errors.js";
import { EmailInput, UsernameInput } from "../../kernel/http/inputs.js";
import { PublicProfileSchema, UserSchema } from "./schemas.js";
import type { AccountsService } from "./service.js";
import { toPublicProfile } from "./views.js";

const tags = ["accounts"];
const ACCEPTED = { message: "If an account matches, we have sent it an email." };

export const accountsRoutes: FastifyPluginAsyncTypebox<{
  accounts: AccountsService;
  limiter: RateLimiter;
  rules: RateRules;
  authenticate: preHandlerAsyncHookHandler;
}> = async (app, { accounts, limiter, rules, authenticate }) => {
  app.post(
    "/v1/users",
    {
      schema: {
        tags,
        operationId: "registerUser",
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
          {
            additionalProperties: false,
            examples: [
              {
                email: "ada@example.com",
                password: "plum-otter-lantern-42",
                passwordConfirmation: "plum-otter-lantern-42",
                username: "ada",
                name: "Ada Lovelace",
              },
            ],
          },
        ),
        response: {
          201: Type.Object({ user: UserSchema }),
          ...errorResponses(...registrationErrors),
        },
      },
    },
    async (request, reply) => reply.code(201).send({ user: await accounts.register(request.body, requestContext(request)) }),
  );

  app.post(
    "/v1/username-reminders",
    {
      schema: {
        tags,
        operationId: "sendUsernameReminder",
        summary: "Email me my username (always 202)",
        body: Type.Object({ email: EmailInput }, { additionalProperties: false }),
        response: { 202: AcceptedResponse, ...errorResponses(KernelErrors.rate_limited) },
      },
    },
    async (request, reply) => {
      await accounts.sendUsernameReminder(request.body.email, requestContext(request));
      return reply.code(202).send(ACCEPTED);
    },
  );

  app.get(
    "/v1/me",
    {
      preHandler: authenticate,
      schema: {
        tags,
        operationId: "getMe",
        security: [{ bearerAuth: [] }],
        summary: "The signed-in user",
        response: { 200: Type.Object({ user: UserSchema }), ...errorResponses(AccountErrors.user_not_found) },
      },
    },
    async (request) => {
      const user = await accounts.getById(caller(request).userId);
      if (!user) throw new AppError(AccountErrors.user_not_found);
      return { user };
    },
  );

  // Availability checks answer what registration would (email_taken, username_taken) before the
  // form is sent; they are throttled per IP so they cannot be used to list accounts in bulk.
  const Availability = Type.Object({ taken: Type.Boolean() });

  app.post(
    "/v1/availability/email",
    {
      schema: {
        tags,
        operationId: "checkEmailAvailability",
        summary: "Is this email address taken? (throttled per IP)",
        body: Type.Object({ email: EmailInput }, { additionalProperties: false }),
        response: { 200: Availability, ...errorResponses(KernelErrors.rate_limited) },
      },
    },
    async (request) => {
      await limiter.enforce([[rules.availabilityPerIp, request.ip]]);
      return { taken: await accounts.isEmailTaken(request.body.email) };
    },
  );

  app.post(
    "/v1/availability/username",
    {
      schema: {
        tags,
        operationId: "checkUsernameAvailability",
        summary: "Is this username taken? (throttled per IP)",
        body: Type.Object({ username: UsernameInput }, { additionalProperties: false }),
        response: { 200: Availability, ...errorResponses(KernelErrors.rate_limited) },
      },
    },
    async (request) => {
      await limiter.enforce([[rules.availabilityPerIp, request.ip]]);
      return { taken: await accounts.isUsernameTaken(request.body.username) };
    },
  );

  app.get(
    "/v1/users/by-username/:username",
    {
      preHandler: authenticate,
      schema: {
        tags,
        operationId: "getUserByUsername",
        security: [{ bearerAuth: [] }],
        summary: "Look up a user by username (public profile only; throttled per IP)",
        description: "Returns what anyone signed in may see: id, username and name, never email or metadata.",
        params: Type.Object({ username: UsernameInput }),
        response: { 200: Type.Object({ user: PublicProfileSchema }), ...errorResponses(AccountErrors.user_not_found, KernelErrors.rate_limited) },
      },
    },
    async (request) => {
      // Throttled like the availability checks: a signed-in user cannot walk the username space.
      await limiter.enforce([[rules.availabilityPerIp, request.ip]]);
      const user = await accounts.getByUsername(request.params.username);
      if (!user) throw new AppError(AccountErrors.user_not_found);
      return { user: toPublicProfile(user) };
    },
  );
};

export { PasswordInput };
