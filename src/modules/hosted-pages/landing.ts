import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { FastifyRequest } from "fastify";
import { escapeHtml, sendPage } from "../../kernel/http/html.js";

export interface LandingPageOptions {
  productName: string;
  /** Whether /dev/mailbox exists (config.mail.devMailbox): it is linked only then. */
  devMailbox: boolean;
}

/** The documentation shipped in the package's docs/ folder, named as files (they are not served). */
const DOCS: [file: string, what: string][] = [
  ["docs/getting-started.md", "from a fresh start to a signed-in request"],
  ["docs/api-guide.md", "each flow of the HTTP API, and the library API"],
  ["docs/passwordless.md", "magic links and sign-in codes"],
  ["docs/configuration.md", "every environment variable"],
  ["docs/security.md", "the security model"],
  ["docs/deployment.md", "production settings"],
];

/** JSON clients (`Accept: application/json` without text/html) get the index as data. */
const wantsJson = (request: FastifyRequest) => {
  const accept = request.headers.accept ?? "";
  return accept.includes("application/json") && !accept.includes("text/html");
};

/**
 * The root URL, which the start-up banner prints: where to go next, for a person and for a
 * developer. It links only to what exists on this server.
 */
export const landingPageRoutes: FastifyPluginAsyncTypebox<LandingPageOptions> = async (app, { productName, devMailbox }) => {
  const links = {
    apiDocs: "/docs",
    openapi: "/openapi.json",
    health: "/healthz",
    readiness: "/readyz",
    signIn: "/ui/sign-in",
    account: "/ui/account",
    ...(devMailbox ? { devMailbox: "/dev/mailbox" } : {}),
  };

  app.get("/", { schema: { hide: true } }, async (request, reply) => {
    if (wantsJson(request)) return reply.send({ name: productName, links });
    const item = (href: string, label: string, note: string) => `<li><a href="${href}">${escapeHtml(label)}</a> — ${escapeHtml(note)}</li>`;
    const mailbox = devMailbox
      ? item("/dev/mailbox", "Development mailbox", "every email and text message this server has queued; it exists only on a development server")
      : "";
    return sendPage(
      reply,
      productName,
      `<h1>${escapeHtml(productName)}</h1><p>This server signs people in and hands applications their identity.</p>` +
        `<h2>Your account</h2><ul class="links">${item("/ui/sign-in", "Sign in", "with a link sent to your email address")}${item("/ui/account", "Your account", "who is signed in here, and signing out")}</ul>` +
        `<h2>For developers</h2><ul class="links">${item("/docs", "API reference", "every route, with its schemas, to try out")}` +
        `${item("/openapi.json", "OpenAPI document", "the same, for code generators")}${mailbox}` +
        `${item("/healthz", "Health", "the process answers")}${item("/readyz", "Readiness", "the database answers")}</ul>` +
        `<h2>Documentation</h2><p class="note">In the <code>docs</code> folder of the Gatehouse package:</p>` +
        `<ul class="links">${DOCS.map(([file, what]) => `<li><code>${file}</code> — ${what}</li>`).join("")}</ul>`,
    );
  });
};
