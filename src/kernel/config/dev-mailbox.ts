import { isIPv4 } from "node:net";

/**
 * Whether the development mailbox exists. It shows every queued email and SMS — reset links and
 * sign-in codes included — to anyone who can reach it, so it is served only where nobody else can:
 * it must be the transport (no SMTP_URL), outside production, with Gatehouse on a loopback address.
 * Anything else needs GATEHOUSE_DEV_MAILBOX=true (a shared test server), which production refuses.
 */
export interface DevMailboxDecision {
  enabled: boolean;
  /** Why, in words the start-up banner prints. */
  reason: string;
}

export interface DevMailboxInputs {
  explicit: boolean | null;
  nodeEnv: string;
  smtpUrl: string | null;
  baseUrl: string;
  host: string;
}

/** localhost, 127.0.0.0/8 and ::1: names and addresses only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  const name = host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, "$1")
    .replace(/\.$/, "");
  if (name === "localhost" || name === "::1") return true;
  return isIPv4(name) && name.startsWith("127.");
}

export function decideDevMailbox({ explicit, nodeEnv, smtpUrl, baseUrl, host }: DevMailboxInputs): DevMailboxDecision {
  if (smtpUrl) return { enabled: false, reason: "SMTP_URL is set: mail is sent by SMTP" };
  if (nodeEnv === "production") return { enabled: false, reason: "NODE_ENV=production; mail fails until SMTP_URL is set" };
  if (explicit === false) return { enabled: false, reason: "GATEHOUSE_DEV_MAILBOX=false; mail fails until SMTP_URL is set" };
  if (explicit === true) return { enabled: true, reason: "GATEHOUSE_DEV_MAILBOX=true: anyone who can reach this server can read it" };
  const baseHost = new URL(baseUrl).hostname;
  if (!isLoopbackHost(baseHost)) {
    return {
      enabled: false,
      reason: `GATEHOUSE_BASE_URL is not a loopback address, so others could read it; mail fails until SMTP_URL is set (GATEHOUSE_DEV_MAILBOX=true serves it anyway)`,
    };
  }
  if (!isLoopbackHost(host)) {
    return {
      enabled: false,
      reason: `HOST=${host} listens beyond this machine, so others could read it; mail fails until SMTP_URL is set (GATEHOUSE_DEV_MAILBOX=true serves it anyway)`,
    };
  }
  return { enabled: true, reason: "no SMTP_URL, and Gatehouse is only reachable from this machine" };
}
