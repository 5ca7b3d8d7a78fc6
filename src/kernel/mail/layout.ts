import type { EmailContent } from "./message.js";

export interface EmailLayoutInput {
  productName: string;
  subject: string;
  greeting?: string;
  paragraphs: string[];
  action?: { label: string; url: string };
  /** e.g. "This link expires in 2 hours." */
  expiry?: string;
  /** Omitted only for notices the recipient did ask for. */
  unrequestedNotice?: string;
}

const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

const DEFAULT_UNREQUESTED = "Didn't ask for this? You can ignore this email; nothing changes unless the link is used.";

/** Renders every Gatehouse email: the same text and HTML shape, no remote images or scripts. */
export function renderEmail(input: EmailLayoutInput): EmailContent {
  const notice = input.unrequestedNotice ?? DEFAULT_UNREQUESTED;
  const lines = [
    input.greeting ?? "Hello,",
    "",
    ...input.paragraphs.flatMap((p) => [p, ""]),
    ...(input.action ? [`${input.action.label}: ${input.action.url}`, ""] : []),
    ...(input.expiry ? [input.expiry, ""] : []),
    notice,
    "",
    `— ${input.productName}`,
  ];
  const html = [
    `<!doctype html><html><body style="font-family:sans-serif;line-height:1.5">`,
    `<p>${escapeHtml(input.greeting ?? "Hello,")}</p>`,
    ...input.paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`),
    input.action ? `<p><a href="${escapeHtml(input.action.url)}">${escapeHtml(input.action.label)}</a></p>` : "",
    input.expiry ? `<p>${escapeHtml(input.expiry)}</p>` : "",
    `<p style="color:#666">${escapeHtml(notice)}</p>`,
    `<p>— ${escapeHtml(input.productName)}</p></body></html>`,
  ].join("");
  return { subject: `${input.productName}: ${input.subject}`, text: lines.join("\n"), html };
}

/** "2 hours", "15 minutes", "1 day": how emails state expiry. */
export function describeDuration(seconds: number): string {
  const units: Array<[number, string]> = [
    [86_400, "day"],
    [3600, "hour"],
    [60, "minute"],
    [1, "second"],
  ];
  for (const [size, name] of units) {
    if (seconds >= size && seconds % size === 0) {
      const n = seconds / size;
      return `${n} ${name}${n === 1 ? "" : "s"}`;
    }
  }
  return `${seconds} seconds`;
}
