import type { SmsTransport } from "./message.js";
import { gatewayError, postToGateway } from "./sms-gateway.js";

export interface TwilioOptions {
  accountSid: string;
  authToken: string;
  /** E.164 number or alphanumeric sender ID. */
  from: string;
  /** `https://api.twilio.com`, or a compatible API. */
  baseUrl: string;
  timeoutSeconds: number;
}

/**
 * SMS through the Twilio Messages API (2010-04-01) or any API that speaks it: a form-encoded POST
 * of To, From and Body with HTTP basic auth. 2xx is delivery to the gateway; anything else is
 * retried by the outbox, with Twilio's error code and message kept as the message's last error.
 */
export function createTwilioSmsTransport(options: TwilioOptions): SmsTransport {
  const url = `${options.baseUrl.replace(/\/+$/, "")}/2010-04-01/Accounts/${encodeURIComponent(options.accountSid)}/Messages.json`;
  const authorization = `Basic ${Buffer.from(`${options.accountSid}:${options.authToken}`, "utf8").toString("base64")}`;
  return {
    name: "twilio",
    async send(message) {
      const body = new URLSearchParams({ To: message.to, From: options.from, Body: message.text }).toString();
      const response = await postToGateway(
        "Twilio",
        url,
        options.timeoutSeconds,
        {
          "content-type": "application/x-www-form-urlencoded",
          accept: "application/json",
          authorization,
        },
        body,
      );
      if (!response.ok) throw await gatewayError("Twilio", response);
    },
  };
}
