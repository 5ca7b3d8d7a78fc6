import type { FastifyReply } from "fastify";
import type { AppError } from "../errors/app-error.js";

export const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

const STYLE =
  ":root{color-scheme:light dark;--fg:#1b1f24;--muted:#5b636e;--line:#d5d9de;--card:#fff;--bg:#f4f5f7;--accent:#1f5fbf;--accent-fg:#fff;--alert:#a4231b;--alert-bg:#fdecea}" +
  "@media (prefers-color-scheme:dark){:root{--fg:#e6e8eb;--muted:#9aa3ad;--line:#3a4048;--card:#1d2127;--bg:#14171b;--accent:#6ea2ff;--accent-fg:#0b1220;--alert:#ffb4ab;--alert-bg:#3b1512}}" +
  "*{box-sizing:border-box}body{margin:0;background:var(--bg);color:var(--fg);font:16px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif}" +
  "main{max-width:36rem;margin:3rem auto;padding:2rem;background:var(--card);border:1px solid var(--line);border-radius:10px}" +
  "main.wide{max-width:56rem}h1{font-size:1.5rem;line-height:1.25;margin:0 0 1rem}h2{font-size:1.1rem;margin:1.75rem 0 .5rem}" +
  "p{margin:.75rem 0}a{color:var(--accent)}label{display:block;margin-top:1rem;font-weight:600}" +
  "input[type=password],input[type=text],input[type=email]{display:block;width:100%;margin-top:.3rem;padding:.55rem .65rem;font:inherit;color:inherit;background:transparent;border:1px solid var(--line);border-radius:6px}" +
  "button{margin-top:1.25rem;padding:.6rem 1.1rem;font:inherit;font-weight:600;color:var(--accent-fg);background:var(--accent);border:0;border-radius:6px;cursor:pointer}" +
  "button.secondary{color:var(--fg);background:transparent;border:1px solid var(--line)}" +
  ".note{color:var(--muted);font-size:.9rem}[role=alert]{padding:.75rem 1rem;color:var(--alert);background:var(--alert-bg);border-radius:6px}" +
  "ul.links{padding-left:1.2rem}ul.links li{margin:.35rem 0}code{font-size:.9em}pre{white-space:pre-wrap;word-break:break-word}" +
  "table{width:100%;border-collapse:collapse;font-size:.9rem}th,td{text-align:left;padding:.45rem .5rem;border-bottom:1px solid var(--line);vertical-align:top}" +
  ".scroll{overflow-x:auto}.nowrap{white-space:nowrap}table.details th{width:8rem}table.details td,p strong{overflow-wrap:anywhere}.scroll table{min-width:40rem}" +
  ".aside{margin-top:2rem;padding-top:1rem;border-top:1px solid var(--line)}" +
  "@media (max-width:40rem){main{margin:0;border:0;border-radius:0;padding:1.25rem}}" +
  ".msg{border:1px solid var(--line);border-radius:6px;padding:1rem;margin:1rem 0}";

/**
 * Sends a self-contained HTML page: nothing loaded from anywhere, no script, not framable, never
 * cached. `Referrer-Policy: strict-origin` sends other sites at most this origin, never a path or
 * query (pages opened from emailed links carry a token in their URL), and lets the browser send
 * the real `Origin` on this page's own form posts, which the CSRF check requires (kernel/http/csrf.ts).
 */
export function sendPage(reply: FastifyReply, title: string, body: string, status = 200, options: { wide?: boolean } = {}): FastifyReply {
  return reply
    .code(status)
    .header("content-security-policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
    .header("referrer-policy", "strict-origin")
    .header("cache-control", "no-store")
    .type("text/html; charset=utf-8")
    .send(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">` +
        `<title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body><main${options.wide ? ' class="wide"' : ""}>${body}</main></body></html>`,
    );
}

const ERROR_TITLES: Record<number, string> = {
  400: "This link or form is not valid",
  401: "Not signed in",
  403: "Request refused",
  404: "Page not found",
  409: "That cannot be done",
  413: "Too much data",
  415: "Request not understood",
  429: "Too many attempts",
};

/**
 * Renders an error for a person: a readable page with the safe message and the stable code, the
 * same status as the JSON API would use, and never a stack, a cause or the input that failed.
 */
export function sendErrorPage(reply: FastifyReply, error: AppError, options: { title?: string; extra?: string } = {}): FastifyReply {
  if (error.retryAfterSeconds !== undefined) reply.header("retry-after", String(error.retryAfterSeconds));
  const title = error.status >= 500 ? "Something went wrong" : (options.title ?? ERROR_TITLES[error.status] ?? "That did not work");
  const extra = options.extra ?? "";
  return sendPage(
    reply,
    title,
    `<h1>${escapeHtml(title)}</h1><p role="alert">${escapeHtml(error.message)}</p>${extra}<p class="note">Error code: <code>${escapeHtml(error.code)}</code></p>`,
    error.status,
  );
}
