import type { Generated, Kysely, Transaction } from "kysely";
import { type ConsentPurposeKey, mayProcess } from "./consent.ts";
import type { Database } from "./db/tables.ts";

/**
 * The site inbox (站内消息) every module notifies citizens and staff through, plus outbound
 * channels (SMS, e-mail) behind one adapter interface. The default adapter only logs what it
 * would have sent (to `outbound_messages`), so a real gateway can be configured later without
 * touching the modules that notify.
 */
export interface InboxMessagesTable {
  id: Generated<number>;
  user_id: number;
  title: string;
  body: Generated<string>;
  link: Generated<string>;
  created_at: Generated<Date>;
  read_at: Date | null;
}

export interface OutboundMessagesTable {
  id: Generated<number>;
  channel: string;
  user_id: number | null;
  recipient_masked: Generated<string>;
  title: string;
  body: Generated<string>;
  created_at: Generated<Date>;
}

export interface InboxTables {
  inbox_messages: InboxMessagesTable;
  outbound_messages: OutboundMessagesTable;
}

type Db = Kysely<Database> | Transaction<Database>;

export interface Notice {
  title: string;
  body?: string;
  /** A path on this site the message points to. */
  link?: string;
}

export interface Recipient {
  userId: number;
  /** Masked phone or address, for the delivery log only. */
  masked?: string;
}

/** An outbound channel (SMS gateway, mail server …). */
export interface OutboundChannel {
  name: string;
  /** The optional consent this channel needs; a recipient who withdrew it gets the inbox message only. */
  consentPurpose?: ConsentPurposeKey;
  send(db: Db, to: Recipient, notice: Notice): Promise<void>;
}

/** Records what would be sent; the default for every channel until a gateway is configured. */
export function logChannel(name: string): OutboundChannel {
  return {
    name,
    async send(db, to, notice) {
      await db
        .insertInto("outbound_messages")
        .values({
          channel: name,
          user_id: to.userId,
          recipient_masked: to.masked ?? "",
          title: notice.title,
          body: notice.body ?? "",
        })
        .execute();
    },
  };
}

let channels: OutboundChannel[] = [{ ...logChannel("sms"), consentPurpose: "sms_notifications" }];

/** Replaces the outbound channels (at start-up, from configuration). */
export function setOutboundChannels(list: OutboundChannel[]): void {
  channels = list;
}

/**
 * Puts a message in the user's inbox and hands it to the outbound channels. Pass the transaction
 * of the change being announced, so the message exists exactly when the change does.
 */
export async function notify(db: Db, to: Recipient, notice: Notice): Promise<void> {
  await db
    .insertInto("inbox_messages")
    .values({ user_id: to.userId, title: notice.title, body: notice.body ?? "", link: notice.link ?? "" })
    .execute();
  for (const channel of channels) {
    if (channel.consentPurpose && !(await mayProcess(db, to.userId, channel.consentPurpose))) continue;
    await channel.send(db, to, notice);
  }
}

export async function inboxOf(db: Db, userId: number, limit = 100) {
  return db
    .selectFrom("inbox_messages")
    .selectAll()
    .where("user_id", "=", userId)
    .orderBy("id", "desc")
    .limit(limit)
    .execute();
}

export async function unreadCount(db: Db, userId: number): Promise<number> {
  const row = await db
    .selectFrom("inbox_messages")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("user_id", "=", userId)
    .where("read_at", "is", null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Marks one message (or all, without an id) of the user as read. */
export async function markRead(db: Db, userId: number, messageId?: number): Promise<void> {
  let query = db
    .updateTable("inbox_messages")
    .set({ read_at: new Date() })
    .where("user_id", "=", userId)
    .where("read_at", "is", null);
  if (messageId !== undefined) query = query.where("id", "=", messageId);
  await query.execute();
}
