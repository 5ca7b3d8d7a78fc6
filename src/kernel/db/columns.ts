import { timestamp } from "drizzle-orm/pg-core";

/** timestamptz mapped to Date; every time column in Gatehouse uses it. */
export const timestamptz = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });
