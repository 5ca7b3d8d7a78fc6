import type { FastifyInstance, LightMyRequestResponse } from "fastify";

/**
 * Hosted pages as a browser uses them: GET a page, keep the cookies it sets, and post its form back
 * with them, hidden fields (the CSRF token, the link's token) included. Every form post of the
 * hosted pages is refused without that round trip.
 */
export class CookieJar {
  private readonly values = new Map<string, string>();

  /**
   * Keeps the cookies a response sets; a cleared one is forgotten. Expiry dates are not compared
   * with the wall clock: tests run on a fake clock, so only a clearing (empty value, epoch) counts.
   */
  take(response: LightMyRequestResponse): this {
    for (const cookie of response.cookies as { name: string; value: string; expires?: Date; maxAge?: number }[]) {
      const expired = cookie.value === "" || cookie.maxAge === 0 || cookie.expires?.getTime() === 0;
      if (expired) this.values.delete(cookie.name);
      else this.values.set(cookie.name, cookie.value);
    }
    return this;
  }

  get(name: string): string | undefined {
    return this.values.get(name);
  }

  names(): string[] {
    return [...this.values.keys()];
  }

  header(): Record<string, string> {
    return this.values.size ? { cookie: [...this.values].map(([name, value]) => `${name}=${value}`).join("; ") } : {};
  }
}

export interface PageForm {
  action: string;
  /** The hidden fields, as the page wrote them. */
  fields: Record<string, string>;
}

const unescape = (value: string) =>
  value
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");

/** The forms of a page, in order. */
export function formsIn(html: string): PageForm[] {
  return [...html.matchAll(/<form method="post" action="([^"]+)">(.*?)<\/form>/gs)].map(([, action, inner]) => ({
    action: unescape(action!),
    fields: Object.fromEntries(
      [...inner!.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map(([, name, value]) => [name!, unescape(value!)]),
    ),
  }));
}

export async function openPage(app: FastifyInstance, url: string, jar = new CookieJar()) {
  const response = await app.inject({ method: "GET", url, headers: jar.header() });
  jar.take(response);
  return { response, jar, form: formsIn(response.body)[0] ?? null };
}

/** Posts a form as the page's own browser would: same-origin, with the jar's cookies. */
export async function submitForm(
  app: FastifyInstance,
  form: PageForm,
  jar: CookieJar,
  options: { fields?: Record<string, string>; headers?: Record<string, string> } = {},
) {
  const response = await app.inject({
    method: "POST",
    url: form.action,
    payload: new URLSearchParams({ ...form.fields, ...options.fields }).toString(),
    headers: { "content-type": "application/x-www-form-urlencoded", "sec-fetch-site": "same-origin", ...jar.header(), ...options.headers },
  });
  jar.take(response);
  return response;
}

/** GET a page and post its first form back: what a person's click does. */
export async function openAndSubmit(
  app: FastifyInstance,
  url: string,
  options: { fields?: Record<string, string>; headers?: Record<string, string>; jar?: CookieJar } = {},
) {
  const opened = await openPage(app, url, options.jar);
  if (!opened.form) throw new Error(`no form on ${url}: ${opened.response.statusCode} ${opened.response.body.slice(0, 200)}`);
  const response = await submitForm(app, opened.form, opened.jar, options);
  return { response, jar: opened.jar, page: opened.response };
}
