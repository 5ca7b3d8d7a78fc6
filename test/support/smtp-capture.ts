import { SMTPServer } from "smtp-server";
import { simpleParser, type ParsedMail } from "mailparser";

/**
 * A real SMTP server on a random local port (npm smtp-server) that keeps what it receives.
 * Point Gatehouse at it with SMTP_URL = `capture.url`.
 */
export interface SmtpCapture {
  url: string;
  messages: ParsedMail[];
  /** Resolves with the first message to `to` received from now on (or already received if `includeOld`). */
  waitFor(to: string, options?: { timeoutMs?: number; match?: (mail: ParsedMail) => boolean }): Promise<ParsedMail>;
  close(): Promise<void>;
}

export async function startSmtpCapture(): Promise<SmtpCapture> {
  const messages: ParsedMail[] = [];
  const waiters: Array<{ accept: (mail: ParsedMail) => boolean; resolve: (mail: ParsedMail) => void }> = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onData(stream, _session, callback) {
      simpleParser(stream)
        .then((mail) => {
          messages.push(mail);
          for (const waiter of [...waiters]) {
            if (waiter.accept(mail)) {
              waiters.splice(waiters.indexOf(waiter), 1);
              waiter.resolve(mail);
            }
          }
          callback();
        })
        .catch(callback);
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.server.address() as { port: number };
  const recipients = (mail: ParsedMail) => [mail.to].flat().flatMap((address) => (address ? address.value.map((v) => (v.address ?? "").toLowerCase()) : []));
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    waitFor(to, { timeoutMs = 10_000, match = () => true } = {}) {
      const accept = (mail: ParsedMail) => recipients(mail).includes(to.toLowerCase()) && match(mail);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no email to ${to} within ${timeoutMs} ms`)), timeoutMs);
        waiters.push({ accept, resolve: (mail) => (clearTimeout(timer), resolve(mail)) });
      });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
