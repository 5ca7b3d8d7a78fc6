/** What the SMS gateways share: one bounded HTTP request, and errors that say what the gateway said. */

/** POSTs with a timeout and without following redirects (a redirect would re-send credentials elsewhere). */
export async function postToGateway(label: string, url: string, timeoutSeconds: number, headers: Record<string, string>, body: string): Promise<Response> {
  try {
    return await fetch(url, {
      method: "POST",
      headers: { "user-agent": "Gatehouse", ...headers },
      body,
      redirect: "manual",
      signal: AbortSignal.timeout(timeoutSeconds * 1000),
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === "TimeoutError") throw new Error(`${label} did not answer within ${timeoutSeconds} s`);
    const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : "";
    throw new Error(`${label} unreachable${cause}`);
  }
}

/** The outbox keeps this as last_error (visible to operators), so it is short and never holds a credential. */
export async function gatewayError(label: string, response: Response): Promise<Error> {
  const detail = (await response.text().catch(() => "")).replace(/\s+/g, " ").trim().slice(0, 200);
  return new Error(`${label} answered ${response.status}${detail ? `: ${detail}` : ""}`);
}
