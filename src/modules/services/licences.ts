import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  randomInt,
  sign,
  verify,
} from "node:crypto";
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Transaction } from "kysely";
import qrcode from "qrcode-generator";
import { type Actor, can } from "../../core/auth/permissions.ts";
import { chinaDay } from "../../core/calendar.ts";
import type { AppContext } from "../../core/context.ts";
import type { Database } from "../../core/db/tables.ts";
import { ForbiddenError, NotFoundError, UserError } from "../../core/errors.ts";
import { notify } from "../../core/inbox.ts";
import type { Licence } from "./schema.ts";

/**
 * 电子证照: each licence is signed by the platform with Ed25519 over a canonical payload. The key
 * lives outside the database (ZHENGWU_LICENCE_KEY as PKCS#8 PEM, or DATA_DIR/keys/licence.pem,
 * created on first use), so whoever can write the table cannot forge or alter a licence unnoticed.
 */
const keys = new Map<string, KeyObject>();

async function signingKey(dataDir: string): Promise<KeyObject> {
  const cached = keys.get(dataDir);
  if (cached) return cached;
  let pem = process.env.ZHENGWU_LICENCE_KEY;
  if (!pem) {
    const file = path.join(dataDir, "keys", "licence.pem");
    pem = await readFile(file, "utf8").catch(() => undefined);
    if (!pem) {
      pem = generateKeyPairSync("ed25519").privateKey.export({ type: "pkcs8", format: "pem" }).toString();
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, pem, { mode: 0o600 });
      await chmod(file, 0o600);
    }
  }
  const key = createPrivateKey(pem);
  keys.set(dataDir, key);
  return key;
}

interface Payload {
  number: string;
  name: string;
  holder: string;
  issuer: string;
  issuedOn: string;
}

function payloadOf(l: Pick<Licence, "number" | "name" | "holder_name" | "issuer" | "issued_on">): Payload {
  return { number: l.number, name: l.name, holder: l.holder_name, issuer: l.issuer, issuedOn: l.issued_on };
}

const canonical = (p: Payload) => JSON.stringify([p.number, p.name, p.holder, p.issuer, p.issuedOn]);

const ALPHABET = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ";

export interface IssueInput {
  name: string;
  holderId: number;
  holderName: string;
  issuer: string;
  itemId: number | null;
  applicationId: number | null;
  issuedOn?: string;
}

/** Issues a signed licence inside the caller's transaction (办结 of a licence-type item). */
export async function issueLicence(ctx: AppContext, trx: Transaction<Database>, input: IssueInput) {
  const issuedOn = input.issuedOn ?? chinaDay();
  const number = `ZZ${issuedOn.replace(/-/g, "")}${Array.from({ length: 8 }, () => ALPHABET[randomInt(ALPHABET.length)]).join("")}`;
  const payload: Payload = {
    number,
    name: input.name,
    holder: input.holderName,
    issuer: input.issuer,
    issuedOn,
  };
  const text = canonical(payload);
  const signature = sign(null, Buffer.from(text), await signingKey(ctx.config.dataDir));
  const row = await trx
    .insertInto("licences")
    .values({
      number,
      name: input.name,
      holder_id: input.holderId,
      holder_name: input.holderName,
      item_id: input.itemId,
      application_id: input.applicationId,
      issuer: input.issuer,
      issued_on: issuedOn,
      payload: text,
      signature,
    })
    .returning(["id", "number"])
    .executeTakeFirstOrThrow();
  await notify(
    trx,
    { userId: input.holderId },
    {
      title: `您的电子证照“${input.name}”已签发`,
      body: `证照编号 ${number}，可在“我的证照”中查看，并在今后办事时免于提交。`,
      link: "/account/licences",
    },
  );
  return row;
}

export type Verdict = "valid" | "revoked" | "tampered";

export const VERDICT_LABELS: Record<Verdict, string> = {
  valid: "有效",
  revoked: "已注销",
  tampered: "验证失败：证照信息与签发记录不一致，可能已被篡改",
};

/** Checks the signature and that the recorded fields are the signed ones. */
export async function verifyLicence(ctx: AppContext, number: string) {
  const licence = await ctx.db
    .selectFrom("licences")
    .selectAll()
    .where("number", "=", number.trim().toUpperCase())
    .executeTakeFirst();
  if (!licence) throw new NotFoundError("未找到该编号的电子证照");
  const publicKey = createPublicKey(await signingKey(ctx.config.dataDir));
  const signed = verify(null, Buffer.from(licence.payload), publicKey, licence.signature);
  const consistent = licence.payload === canonical(payloadOf(licence));
  const verdict: Verdict =
    !signed || !consistent ? "tampered" : licence.status === "revoked" ? "revoked" : "valid";
  return { licence, verdict };
}

export async function licencesOf(ctx: AppContext, holderId: number) {
  return ctx.db
    .selectFrom("licences")
    .selectAll()
    .where("holder_id", "=", holderId)
    .orderBy("id", "desc")
    .execute();
}

/** Valid licences of a holder that can stand in for a material (免提交), by material name. */
export async function reusableLicences(ctx: AppContext, holderId: number): Promise<Map<string, Licence>> {
  const rows = await licencesOf(ctx, holderId);
  const map = new Map<string, Licence>();
  for (const l of rows)
    if (l.status === "valid" && !map.has(normalName(l.name))) map.set(normalName(l.name), l);
  return map;
}

/** "离退休证明（退休审批表或养老金领取证明）" and "离退休证明" name the same licence. */
export function normalName(name: string): string {
  return name.replace(/[（(][^）)]*[）)]/g, "").trim();
}

export async function revokeLicence(
  ctx: AppContext,
  actor: Actor,
  number: string,
  reason: string,
): Promise<void> {
  const { licence } = await verifyLicence(ctx, number);
  const site = licence.item_id
    ? await ctx.db
        .selectFrom("service_items")
        .select("site_id")
        .where("id", "=", licence.item_id)
        .executeTakeFirst()
    : undefined;
  if (!site || !can(actor, "case.approve", { siteId: site.site_id }))
    throw new ForbiddenError("只有签发部门的负责人可以注销电子证照");
  if (!reason.trim()) throw new UserError("请写明注销原因", 400, { reason: "请写明注销原因" });
  if (licence.status === "revoked") throw new UserError("该证照已注销");
  await ctx.db.transaction().execute(async (trx) => {
    await trx
      .updateTable("licences")
      .set({ status: "revoked", revoked_at: new Date(), revoke_reason: reason.trim() })
      .where("id", "=", licence.id)
      .execute();
    await notify(
      trx,
      { userId: licence.holder_id },
      {
        title: `您的电子证照“${licence.name}”已注销`,
        body: `证照编号 ${licence.number}。注销原因：${reason.trim()}`,
        link: "/account/licences",
      },
    );
  });
}

/** A QR code (GIF data URL) pointing at the public verification page. */
export function verificationQr(url: string): string {
  const qr = qrcode(0, "M");
  qr.addData(url);
  qr.make();
  return qr.createDataURL(4, 2);
}
