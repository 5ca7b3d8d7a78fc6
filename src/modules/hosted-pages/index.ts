/**
 * hosted-pages — the HTML pages a browser sees: the landing page at `/`, the pages emailed links
 * open (confirm an email address, sign in with a magic link, confirm an email change, choose a new
 * password), asking for a sign-in link, and a minimal account page backed by a real Gatehouse
 * session in an HttpOnly cookie. Self-contained (no scripts, nothing from other origins); every
 * POST is CSRF-checked; every page is a thin form over the same services as the JSON API, and
 * never shows a token.
 */
export { hostedPagesRoutes, type HostedPagesOptions } from "./routes.js";
export { landingPageRoutes, type LandingPageOptions } from "./landing.js";
export { HostedPageErrors } from "./errors.js";
export { linkedPagePaths } from "./linked-pages.js";
