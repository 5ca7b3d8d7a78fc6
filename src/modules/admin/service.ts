import type { Database } from "../../kernel/db/database.js";
import { AppError } from "../../kernel/errors/app-error.js";
import type { RequestContext } from "../../kernel/http/request-context.js";
import type { Outbox, OutboxMessage } from "../../kernel/mail/outbox.js";
import type { AuditService } from "../audit/index.js";
import { AdminErrors } from "./errors.js";

export interface AdminService {
  /**
   * Queues a permanently failed message again with a fresh set of attempts and its Message-ID,
   * audited with the operator as actor. Throws outbox_message_not_found, outbox_message_not_failed.
   */
  retryOutboxMessage(id: string, context: RequestContext): Promise<OutboxMessage>;
}

/** What operators do, each action audited in the transaction that makes it. */
export function createAdminService(deps: { db: Database; outbox: Outbox; audit: AuditService; dispatch: () => void }): AdminService {
  const { db, outbox, audit } = deps;
  return {
    async retryOutboxMessage(id, context) {
      const requeued = await db.transaction(async (tx) => {
        const message = await outbox.requeue(id, tx);
        if (message) await audit.record(tx, { action: "outbox_message.retried", data: { messageId: message.id, channel: message.channel } }, context);
        return message;
      });
      if (!requeued) throw new AppError((await outbox.find(id)) ? AdminErrors.outbox_message_not_failed : AdminErrors.outbox_message_not_found);
      deps.dispatch();
      return requeued;
    },
  };
}
