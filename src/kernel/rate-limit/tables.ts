import { integer, pgTable, text } from "drizzle-orm/pg-core";
import { timestamptz } from "../db/columns.js";

/** Fixed-window counters shared by every node through the database. */
export const rateLimitCountersTable = pgTable("rate_limit_counters", {
  key: text("key").primaryKey(),
  count: integer("count").notNull(),
  windowEndsAt: timestamptz("window_ends_at").notNull(),
});
