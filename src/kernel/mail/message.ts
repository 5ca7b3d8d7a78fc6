export interface EmailContent {
  subject: string;
  text: string;
  html: string;
}

export interface OutgoingEmail extends EmailContent {
  to: string;
}

/** What a transport receives: the content plus envelope fields fixed when the message was queued. */
export interface EmailEnvelope extends OutgoingEmail {
  from: string;
  messageId: string;
}

/** A way to hand an email to the world. SMTP in production; the development mailbox keeps them. */
export interface MailTransport {
  readonly name: string;
  send(message: EmailEnvelope): Promise<void>;
  close?(): void;
}

export interface OutgoingSms {
  /** E.164 phone number. */
  to: string;
  text: string;
}

/** What an SMS transport receives. `messageId` is fixed at enqueue time, like an email's. */
export interface SmsEnvelope extends OutgoingSms {
  messageId: string;
}

/** A way to hand a text message to a gateway. The development mailbox keeps them. */
export interface SmsTransport {
  readonly name: string;
  send(message: SmsEnvelope): Promise<void>;
}
