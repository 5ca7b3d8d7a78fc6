/**
 * hosted-pages — the HTML pages that emailed links open: confirm an email address, sign in with a
 * magic link, confirm an email change, choose a new password. Self-contained (no scripts, nothing
 * from other origins, no referrer); each page is a thin form over the same services as the JSON API.
 */
export { hostedPagesRoutes, type HostedPagesOptions } from "./routes.js";
