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
