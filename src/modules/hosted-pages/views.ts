import { CSRF_FIELD } from "../../kernel/http/csrf.js";
import { escapeHtml } from "../../kernel/http/html.js";
import type { User } from "../accounts/index.js";
import type { Session } from "../sessions/index.js";

/** HTML fragments of the hosted pages. Every value is escaped here, so routes pass plain text. */

const hidden = (name: string, value: string) => `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`;

/** A POST form carrying its CSRF token (and the link's token, for pages behind emailed links). */
export function form(action: string, csrfToken: string, fields: { token?: string; inner?: string; button: string; buttonClass?: string }): string {
  return (
    `<form method="post" action="${escapeHtml(action)}">${hidden(CSRF_FIELD, csrfToken)}${fields.token === undefined ? "" : hidden("token", fields.token)}` +
    `${fields.inner ?? ""}<button type="submit"${fields.buttonClass ? ` class="${fields.buttonClass}"` : ""}>${escapeHtml(fields.button)}</button></form>`
  );
}

export const alert = (problem: string | undefined) => (problem ? `<p role="alert">${escapeHtml(problem)}</p>` : "");

/** The password rule, stated before anyone types (NIST SP 800-63B-4 §3.1.1.2), as checkNewPassword applies it. */
export function passwordRule(minLength: number): string {
  return (
    `<p class="note" id="password-rule">Use at least ${minLength} characters — a few unrelated words make an easy one. ` +
    `Any characters are allowed, spaces included, and nothing is required: no digits, symbols or capitals. ` +
    `Common or easily guessed passwords, and ones containing your email name or username, are refused.</p>`
  );
}

export function resetPasswordForm(options: { token: string; csrfToken: string; minLength: number; problem?: string }): string {
  const input = (name: string, label: string) =>
    `<label for="${name}">${label}</label><input type="password" id="${name}" name="${name}" autocomplete="new-password" minlength="${options.minLength}" aria-describedby="password-rule" required>`;
  return (
    `<h1>Choose a new password</h1>${alert(options.problem)}${passwordRule(options.minLength)}` +
    form("/ui/reset-password", options.csrfToken, {
      token: options.token,
      inner: input("password", "New password") + input("passwordConfirmation", "Repeat the new password"),
      button: "Set password",
    })
  );
}

const when = (date: Date) => `${date.toISOString().slice(0, 16).replace("T", " ")} UTC`;

const METHODS: Record<string, string> = {
  password: "password",
  magic_link: "magic link",
  sign_in_token: "sign-in token",
  email_code: "emailed code",
  sms_code: "text message code",
};

export function accountPage(options: { user: User; sessions: Session[]; currentSessionId: string; csrfToken: string; developerHint: boolean }): string {
  const { user } = options;
  const who = user.email ?? user.username ?? "your account";
  const details = [
    user.name ? `<tr><th scope="row">Name</th><td>${escapeHtml(user.name)}</td></tr>` : "",
    user.email ? `<tr><th scope="row">Email</th><td>${escapeHtml(user.email)}${user.emailConfirmed ? "" : " (not confirmed)"}</td></tr>` : "",
    user.username ? `<tr><th scope="row">Username</th><td>${escapeHtml(user.username)}</td></tr>` : "",
    `<tr><th scope="row">Password</th><td>${user.hasPassword ? "set" : "none (you sign in with links or codes)"}</td></tr>`,
  ].join("");
  const rows = options.sessions
    .map((s) => {
      const device = s.userAgent ? escapeHtml(s.userAgent.length > 80 ? `${s.userAgent.slice(0, 80)}…` : s.userAgent) : "unknown";
      const here = s.id === options.currentSessionId ? " <strong>(this browser)</strong>" : "";
      return `<tr><td>${device}${here}</td><td>${escapeHtml(s.ip ?? "")}</td><td>${escapeHtml(METHODS[s.method] ?? s.method)}</td><td class="nowrap">${when(s.createdAt)}</td><td class="nowrap">${when(s.lastUsedAt)}</td></tr>`;
    })
    .join("");
  const hint = options.developerHint
    ? `<p class="note aside">For developers: you see this page because <code>GATEHOUSE_SIGN_IN_REDIRECT_URL</code> is not set. Set it to a page of your ` +
      `application and a magic link hands the sign-in to your application instead, as a single-use sign-in token it exchanges at ` +
      `<code>POST /v1/sessions/sign-in-token</code> (docs/passwordless.md).</p>`
    : "";
  return (
    `<h1>Your account</h1><p>You are signed in as <strong>${escapeHtml(who)}</strong>.</p>` +
    `<table class="details"><tbody>${details}</tbody></table>` +
    `<h2>Where you are signed in</h2><div class="scroll"><table><thead><tr><th>Device</th><th>IP address</th><th>Signed in by</th><th>Since</th><th>Last active</th></tr></thead><tbody>${rows}</tbody></table></div>` +
    form("/ui/account/sign-out", options.csrfToken, { button: "Sign out of this browser" }) +
    hint
  );
}

export function signedOutPage(productName: string, justSignedOut: boolean): string {
  return (
    `<h1>${justSignedOut ? "You are signed out" : "You are not signed in"}</h1>` +
    `<p>${justSignedOut ? "Your session in this browser has ended." : `This browser is not signed in to ${escapeHtml(productName)}.`}</p>` +
    `<p><a href="/ui/sign-in">Sign in with a link sent to your email address</a></p>`
  );
}
