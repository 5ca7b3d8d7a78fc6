/**
 * hosted-pages — the HTML pages that emailed links open: confirm an email address, choose a new
 * password. Self-contained (no scripts, nothing from other origins, no referrer); each page is a
 * thin form over the same services as the JSON API.
 */
export { hostedPagesRoutes } from "./routes.js";
