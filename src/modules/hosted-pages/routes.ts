import formBody from "@fastify/formbody";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { FastifyReply } from "fastify";
import { Type } from "typebox";
import { AppError } from "../../kernel/errors/app-error.js";
import { escapeHtml, sendPage } from "../../kernel/http/html.js";
import { requestContext } from "../../kernel/http/request-context.js";
import type { AccountsService, IdentitiesService } from "../accounts/index.js";
import type { PasswordlessService } from "../passwordless/index.js";
import type { PasswordsService } from "../passwords/index.js";

const TokenQuery = Type.Object({ token: Type.String({ minLength: 1, maxLength: 512 }) });
const hidden = (token: string) => `<input type="hidden" name="token" value="${escapeHtml(token)}">`;

/**
 * Pages behind emailed links. Opening a link (GET) changes nothing, so a mail scanner that
 * prefetches it consumes nothing; the person's click POSTs the token.
 */
export interface HostedPagesOptions {
  accounts: AccountsService;
  identities: IdentitiesService;
  passwords: PasswordsService;
  passwordless: PasswordlessService;
  productName: string;
  /** GATEHOUSE_SIGN_IN_REDIRECT_URL: where a magic-link sign-in continues, with a sign-in token in the fragment. */
  signInRedirectUrl: string | null;
}

export const hostedPagesRoutes: FastifyPluginAsyncTypebox<HostedPagesOptions> = async (
  app,
  { accounts, identities, passwords, passwordless, productName, signInRedirectUrl },
) => {
  await app.register(formBody, { bodyLimit: 16 * 1024 });

  const failure = (reply: FastifyReply, title: string, error: unknown) => {
    if (!(error instanceof AppError) || error.status >= 500) throw error;
    return sendPage(reply, title, `<h1>${escapeHtml(title)}</h1><p role="alert">${escapeHtml(error.message)}</p>`, error.status);
  };

  app.get("/ui/confirm-email", { schema: { hide: true, querystring: TokenQuery } }, async (request, reply) =>
    sendPage(
      reply,
      `Confirm your email — ${productName}`,
      `<h1>Confirm your email address</h1><form method="post" action="/ui/confirm-email">${hidden(request.query.token)}<button type="submit">Confirm my email address</button></form>`,
    ),
  );

  app.post("/ui/confirm-email", { schema: { hide: true, body: TokenQuery } }, async (request, reply) => {
    try {
      const user = await accounts.confirmEmail(request.body.token, requestContext(request));
      return sendPage(reply, "Email confirmed", `<h1>Email confirmed</h1><p>${escapeHtml(user.email ?? "Your address")} is confirmed. You can close this page.</p>`);
    } catch (error) {
      return failure(reply, "Confirmation failed", error);
    }
  });

  const resetForm = (token: string, problem?: string) =>
    `<h1>Choose a new password</h1>${problem ? `<p role="alert">${escapeHtml(problem)}</p>` : ""}` +
    `<form method="post" action="/ui/reset-password">${hidden(token)}` +
    `<label>New password <input type="password" name="password" autocomplete="new-password" required></label>` +
    `<label>Repeat it <input type="password" name="passwordConfirmation" autocomplete="new-password" required></label>` +
    `<button type="submit">Set password</button></form>`;

  app.get("/ui/reset-password", { schema: { hide: true, querystring: TokenQuery } }, async (request, reply) =>
    sendPage(reply, `Reset your password — ${productName}`, resetForm(request.query.token)),
  );

  app.post(
    "/ui/reset-password",
    { schema: { hide: true, body: Type.Object({ token: Type.String({ minLength: 1, maxLength: 512 }), password: Type.String({ maxLength: 4096 }), passwordConfirmation: Type.String({ maxLength: 4096 }) }) } },
    async (request, reply) => {
      try {
        await passwords.completeReset(request.body, requestContext(request));
        return sendPage(reply, "Password reset", "<h1>Password reset</h1><p>Your password has been changed and every session signed out. Sign in with the new password.</p>");
      } catch (error) {
        if (error instanceof AppError && error.code !== "invalid_reset_token" && error.status < 500) {
          return sendPage(reply, "Reset your password", resetForm(request.body.token, error.message), error.status);
        }
        return failure(reply, "Reset failed", error);
      }
    },
  );

  // Magic link: the GET (which a mail scanner may fetch) only shows a button; the click POSTs the
  // token. Sign-in ends with a 60-second, single-use sign-in token for the application, in the URL
  // fragment of the configured redirect: a fragment is never sent to a server nor in a Referer.
  app.get("/ui/magic-link", { schema: { hide: true, querystring: TokenQuery } }, async (request, reply) =>
    sendPage(
      reply,
      `Sign in — ${productName}`,
      `<h1>Sign in to ${escapeHtml(productName)}</h1><form method="post" action="/ui/magic-link">${hidden(request.query.token)}<button type="submit">Sign in</button></form>`,
    ),
  );

  app.post("/ui/magic-link", { schema: { hide: true, body: TokenQuery } }, async (request, reply) => {
    try {
      const { signInToken, expiresIn, user } = await passwordless.exchangeMagicLink(request.body.token, requestContext(request));
      if (signInRedirectUrl) {
        const target = new URL(signInRedirectUrl);
        target.hash = new URLSearchParams({ sign_in_token: signInToken }).toString();
        return reply.code(303).header("location", target.toString()).header("referrer-policy", "no-referrer").send();
      }
      const who = user.email ?? "your account";
      return sendPage(
        reply,
        "Signed in",
        `<h1>Signed in</h1><p>You are signed in as ${escapeHtml(who)}. Return to the application and give it this sign-in token ` +
          `within ${expiresIn} seconds (it works once):</p><pre>${escapeHtml(signInToken)}</pre>`,
      );
    } catch (error) {
      return failure(reply, "Sign-in failed", error);
    }
  });

  app.get("/ui/confirm-email-change", { schema: { hide: true, querystring: TokenQuery } }, async (request, reply) =>
    sendPage(
      reply,
      `Confirm your new email address — ${productName}`,
      `<h1>Confirm your new email address</h1><form method="post" action="/ui/confirm-email-change">${hidden(request.query.token)}<button type="submit">Use this address</button></form>`,
    ),
  );

  app.post("/ui/confirm-email-change", { schema: { hide: true, body: TokenQuery } }, async (request, reply) => {
    try {
      const user = await identities.confirmEmailChange(request.body.token, requestContext(request));
      return sendPage(reply, "Email address changed", `<h1>Email address changed</h1><p>Your account now uses ${escapeHtml(user.email ?? "")}. You can close this page.</p>`);
    } catch (error) {
      return failure(reply, "Email change failed", error);
    }
  });
};
