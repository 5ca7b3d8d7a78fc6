import type { FastifyReply } from "fastify";

export const escapeHtml = (value: string) =>
  value.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

/**
 * Sends a self-contained HTML page: nothing loaded from anywhere, no script, no referrer, not
 * framable. Pages that carry a token in their URL rely on `no-referrer` to keep it there.
 */
export function sendPage(reply: FastifyReply, title: string, body: string, status = 200): FastifyReply {
  return reply
    .code(status)
    .header("content-security-policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
    .header("referrer-policy", "no-referrer")
    .header("cache-control", "no-store")
    .type("text/html; charset=utf-8")
    .send(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">` +
        `<title>${escapeHtml(title)}</title><style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;line-height:1.5}` +
        `input,button{font:inherit;padding:.4rem;margin:.2rem 0}label{display:block;margin-top:.8rem}pre{white-space:pre-wrap}` +
        `.msg{border:1px solid #ccc;border-radius:6px;padding:1rem;margin:1rem 0}</style></head><body>${body}</body></html>`,
    );
}
