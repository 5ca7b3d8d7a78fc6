import pino, { type DestinationStream, type Logger } from "pino";

export type { Logger };

/**
 * Paths whose values are secrets. Bodies are not logged at all; these cover headers and any
 * object a module chooses to log. Tested in logger.test.ts.
 */
export const REDACTED_PATHS = [
  "req.headers.authorization",
  "req.headers.cookie",
  'req.headers["access-token"]',
  'req.headers["refresh-token"]',
  'req.headers["access_token"]',
  'req.headers["refresh_token"]',
  'res.headers["set-cookie"]',
  "*.password",
  "*.currentPassword",
  "*.newPassword",
  "*.passwordConfirmation",
  "*.token",
  "*.accessToken",
  "*.refreshToken",
  "*.signInToken",
  "*.code",
  "*.secret",
];

/** Query strings can carry tokens (emailed links): their values never reach the logs. */
export function redactUrl(url: string): string {
  const queryStart = url.indexOf("?");
  if (queryStart === -1) return url;
  const params = new URLSearchParams(url.slice(queryStart + 1));
  const redacted = [...params.keys()].map((key) => `${encodeURIComponent(key)}=[redacted]`).join("&");
  return `${url.slice(0, queryStart)}?${redacted}`;
}

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
      serializers: {
        req: (req: { method?: string; url?: string; ip?: string; id?: string }) => ({
          method: req.method,
          url: req.url ? redactUrl(req.url) : undefined,
          ip: req.ip,
        }),
      },
    },
    destination,
  );
}
