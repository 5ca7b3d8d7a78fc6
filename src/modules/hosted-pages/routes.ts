import formBody from "@fastify/formbody";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { FastifyReply } from "fastify";
import { Type } from "typebox";
import { AppError } from "../../kernel/errors/app-error.js";
import { KernelErrors } from "../../kernel/errors/kernel-errors.js";
import { CSRF_FIELD, registerCsrfGuard } from "../../kernel/http/csrf.js";
import { registerErrorHandler } from "../../kernel/http/error-handler.js";
import { escapeHtml, sendErrorPage, sendPage } from "../../kernel/http/html.js";
import { requestContext } from "../../kernel/http/request-context.js";
import type { AccountsService } from "../accounts/index.js";
import type { IdentitiesService } from "../identities/index.js";
import type { PasswordlessService } from "../passwordless/index.js";
import type { PasswordsService } from "../passwords/index.js";
import type { SessionsService } from "../sessions/index.js";
import { createBrowserSessions } from "./browser-session.js";
import { HostedPageErrors } from "./errors.js";
import { accountPage, alert, form, resetPasswordForm, signedOutPage } from "./views.js";

// Every token Gatehouse emails is 256 random bits in base64url (43 characters); a link cut short or
// with a stray character from the mail program fails here, as a readable page.
const LinkToken = Type.String({ pattern: "^[A-Za-z0-9_-]{16,512}$" });
const CsrfInput = Type.String({ maxLength: 256 });
const TokenQuery = Type.Object({ token: LinkToken });
const TokenForm = Type.Object({ token: LinkToken, [CSRF_FIELD]: CsrfInput }, { additionalProperties: false });

/**
 * Pages behind emailed links, and the hosted account page. Opening a link (GET) changes nothing,
 * so a mail scanner that prefetches it consumes nothing; the person's click POSTs the token. Every
 * POST is refused unless it comes from one of these pages (kernel/http/csrf.ts).
 */
export interface HostedPagesOptions {
  accounts: AccountsService;
  identities: IdentitiesService;
  passwords: PasswordsService;
  passwordless: PasswordlessService;
  sessions: SessionsService;
  productName: string;
  /** GATEHOUSE_BASE_URL: the one origin forms may be posted from; https makes cookies `__Host-` and Secure. */
  baseUrl: string;
  passwordMinLength: number;
  /** GATEHOUSE_SIGN_IN_REDIRECT_URL: where a magic-link sign-in continues, with a sign-in token in the fragment. */
  signInRedirectUrl: string | null;
  /** Outside production the account page tells developers how to hand sign-in to their application. */
  developerHints: boolean;
  /** Whether /dev/mailbox exists: the "check your email" page then says where the email is. */
  devMailbox: boolean;
}

export const hostedPagesRoutes: FastifyPluginAsyncTypebox<HostedPagesOptions> = async (app, options) => {
  // Its own prefix, so its 404s and errors are pages too, while the JSON API keeps its error shape.
  await app.register(uiPages, { ...options, prefix: "/ui" });
};

const uiPages: FastifyPluginAsyncTypebox<HostedPagesOptions> = async (app, options) => {
  const { accounts, identities, passwords, passwordless, sessions, productName, baseUrl, passwordMinLength, signInRedirectUrl } = options;
  await app.register(formBody, { bodyLimit: 16 * 1024 });
  const csrf = await registerCsrfGuard(app, { baseUrl });
  const browserSessions = createBrowserSessions(sessions, baseUrl);
  const origin = new URL(baseUrl).origin;

  registerErrorHandler(app, (reply, error) => {
    // Schema failures name fields; a person needs to know what to do with the link or the form.
    if (error.code === KernelErrors.validation_failed.code) {
      return sendErrorPage(reply, new AppError(reply.request.method === "GET" ? HostedPageErrors.invalid_link : HostedPageErrors.invalid_form));
    }
    if (error.code === KernelErrors.cross_site_request.code) {
      return sendErrorPage(reply, error, {
        extra: `<p>${escapeHtml(productName)} accepts forms only from its own pages at <a href="${escapeHtml(origin)}/">${escapeHtml(origin)}</a>.</p>`,
      });
    }
    return sendErrorPage(reply, error);
  });

  /** A refusal from a service, shown on a page; anything unexpected goes to the error handler (a 500 page). */
  const failure = (reply: FastifyReply, title: string, error: unknown, extra?: string) => {
    if (!(error instanceof AppError) || error.status >= 500) throw error;
    return sendErrorPage(reply, error, { title, extra });
  };
  const newLinkHint = `<p><a href="/ui/sign-in">Request a new sign-in link</a></p>`;
  const postOptions = csrf.routeOptions;

  app.get("/confirm-email", { schema: { hide: true, querystring: TokenQuery } }, async (request, reply) =>
    sendPage(
      reply,
      `Confirm your email — ${productName}`,
      `<h1>Confirm your email address</h1><p>Press the button to confirm that this address is yours.</p>` +
        form("/ui/confirm-email", csrf.tokenFor(reply), { token: request.query.token, button: "Confirm my email address" }),
    ),
  );

  app.post("/confirm-email", { ...postOptions, schema: { hide: true, body: TokenForm } }, async (request, reply) => {
    try {
      const user = await accounts.confirmEmail(request.body.token, requestContext(request));
      return sendPage(
        reply,
        "Email confirmed",
        `<h1>Email confirmed</h1><p>${escapeHtml(user.email ?? "Your address")} is confirmed. You can close this page.</p>`,
      );
    } catch (error) {
      return failure(reply, "Confirmation failed", error);
    }
  });

  app.get("/reset-password", { schema: { hide: true, querystring: TokenQuery } }, async (request, reply) =>
    sendPage(
      reply,
      `Reset your password — ${productName}`,
      resetPasswordForm({ token: request.query.token, csrfToken: csrf.tokenFor(reply), minLength: passwordMinLength }),
    ),
  );

  app.post(
    "/reset-password",
    {
      ...postOptions,
      schema: {
        hide: true,
        body: Type.Object(
          { token: LinkToken, password: Type.String({ maxLength: 4096 }), passwordConfirmation: Type.String({ maxLength: 4096 }), [CSRF_FIELD]: CsrfInput },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      const { token, password, passwordConfirmation } = request.body;
      try {
        await passwords.completeReset({ token, password, passwordConfirmation }, requestContext(request));
        return sendPage(
          reply,
          "Password reset",
          "<h1>Password reset</h1><p>Your password has been changed and every session signed out. Sign in with the new password.</p>",
        );
      } catch (error) {
        // A password the policy refuses: the same form again, with the reason (the link is still good).
        if (error instanceof AppError && error.code !== "invalid_reset_token" && error.status < 500) {
          return sendPage(
            reply,
            "Reset your password",
            resetPasswordForm({ token, csrfToken: csrf.tokenFor(reply), minLength: passwordMinLength, problem: error.message }),
            error.status,
          );
        }
        return failure(reply, "Reset failed", error);
      }
    },
  );

  // Magic link: the GET (which a mail scanner may fetch) only shows a button; the click POSTs the
  // token. With GATEHOUSE_SIGN_IN_REDIRECT_URL the sign-in continues in the application, with a
  // 60-second single-use sign-in token in the URL fragment (never sent to a server nor in a
  // Referer); without it, this browser is signed in to the hosted account page.
  app.get("/magic-link", { schema: { hide: true, querystring: TokenQuery } }, async (request, reply) =>
    sendPage(
      reply,
      `Sign in — ${productName}`,
      `<h1>Sign in to ${escapeHtml(productName)}</h1><p>Press the button to sign in with this browser. The link works once.</p>` +
        form("/ui/magic-link", csrf.tokenFor(reply), { token: request.query.token, button: "Sign in" }),
    ),
  );

  app.post("/magic-link", { ...postOptions, schema: { hide: true, body: TokenForm } }, async (request, reply) => {
    const context = requestContext(request);
    try {
      if (signInRedirectUrl) {
        const { signInToken } = await passwordless.exchangeMagicLink(request.body.token, context);
        const target = new URL(signInRedirectUrl);
        target.hash = new URLSearchParams({ sign_in_token: signInToken }).toString();
        return reply.code(303).header("location", target.toString()).header("referrer-policy", "no-referrer").send();
      }
      const grant = await passwordless.signInWithMagicLink(request.body.token, context);
      // A session this browser held before (perhaps another account) ends rather than lingering unseen.
      await browserSessions.end(request, reply, context);
      browserSessions.hold(reply, grant);
      return reply.code(303).header("location", "/ui/account").send();
    } catch (error) {
      return failure(reply, "Sign-in failed", error, newLinkHint);
    }
  });

  app.get("/confirm-email-change", { schema: { hide: true, querystring: TokenQuery } }, async (request, reply) =>
    sendPage(
      reply,
      `Confirm your new email address — ${productName}`,
      `<h1>Confirm your new email address</h1><p>Press the button to make this address the one your account uses.</p>` +
        form("/ui/confirm-email-change", csrf.tokenFor(reply), { token: request.query.token, button: "Use this address" }),
    ),
  );

  app.post("/confirm-email-change", { ...postOptions, schema: { hide: true, body: TokenForm } }, async (request, reply) => {
    try {
      const user = await identities.confirmEmailChange(request.body.token, requestContext(request));
      return sendPage(
        reply,
        "Email address changed",
        `<h1>Email address changed</h1><p>Your account now uses ${escapeHtml(user.email ?? "")}. You can close this page.</p>`,
      );
    } catch (error) {
      return failure(reply, "Email change failed", error);
    }
  });

  // Asking for a sign-in link from a browser. The answer is the same whether or not the address has
  // an account (the service sends nothing to an unknown one when sign-up is off).
  const signInForm = (csrfToken: string, problem?: string) =>
    `<h1>Sign in to ${escapeHtml(productName)}</h1>${alert(problem)}<p>Enter your email address and we will send you a link that signs you in.</p>` +
    form("/ui/sign-in", csrfToken, {
      inner: `<label for="email">Email address</label><input type="email" id="email" name="email" autocomplete="email" maxlength="320" required>`,
      button: "Email me a sign-in link",
    });

  app.get("/sign-in", { schema: { hide: true } }, async (_request, reply) => sendPage(reply, `Sign in — ${productName}`, signInForm(csrf.tokenFor(reply))));

  app.post(
    "/sign-in",
    {
      ...postOptions,
      schema: { hide: true, body: Type.Object({ email: Type.String({ maxLength: 320 }), [CSRF_FIELD]: CsrfInput }, { additionalProperties: false }) },
    },
    async (request, reply) => {
      try {
        await passwordless.requestMagicLink(request.body.email, requestContext(request));
        return sendPage(
          reply,
          "Check your email",
          `<h1>Check your email</h1><p>If this address can sign in, we have sent it a link. Open it in this browser; it works once and expires soon.</p>` +
            (options.devMailbox ? `<p class="note">On this development server, email waits in the <a href="/dev/mailbox">development mailbox</a>.</p>` : ""),
        );
      } catch (error) {
        if (error instanceof AppError && error.status === 400)
          return sendPage(reply, `Sign in — ${productName}`, signInForm(csrf.tokenFor(reply), error.message), 400);
        return failure(reply, "Sign-in failed", error);
      }
    },
  );

  app.get("/account", { schema: { hide: true } }, async (request, reply) => {
    const current = await browserSessions.resume(request, reply, requestContext(request));
    const user = current ? await accounts.getById(current.userId) : null;
    if (!current || !user) return sendPage(reply, `Not signed in — ${productName}`, signedOutPage(productName, false));
    return sendPage(
      reply,
      `Your account — ${productName}`,
      accountPage({
        user,
        sessions: await sessions.list(user.id),
        currentSessionId: current.sessionId,
        csrfToken: csrf.tokenFor(reply),
        developerHint: options.developerHints,
      }),
      200,
      { wide: true },
    );
  });

  app.post(
    "/account/sign-out",
    { ...postOptions, schema: { hide: true, body: Type.Object({ [CSRF_FIELD]: CsrfInput }, { additionalProperties: false }) } },
    async (request, reply) => {
      await browserSessions.end(request, reply, requestContext(request));
      return sendPage(reply, `Signed out — ${productName}`, signedOutPage(productName, true));
    },
  );
};
