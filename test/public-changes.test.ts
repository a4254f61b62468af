import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { sql } from "kysely";
import type { Actor } from "../src/core/auth/permissions.ts";
import {
  type ChangeListener,
  latestPublicChangeId,
  listenForPublicChanges,
  type PublicChange,
  publicChangesSince,
} from "../src/core/changes.ts";
import { createDocument, submitForReview, withdraw } from "../src/modules/content/service.ts";
import { loadActor } from "../src/modules/identity/service.ts";
import { actOnLetter, setPublished, submitLetter } from "../src/modules/interaction/service.ts";
import { getItem, itemToForm, saveItem } from "../src/modules/services/service.ts";
import { columnsOf, getColumn, updateColumn } from "../src/modules/sites/service.ts";
import { columnId, siteId, staffWith, startTestPlatform, type TestPlatform } from "./support/platform.ts";

/** Waits (with a deadline, never a blind sleep) until the listener has heard a matching change. */
async function heard(seen: PublicChange[], match: (c: PublicChange) => boolean, what: string) {
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    if (seen.some(match)) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.fail(`no notification for ${what}; heard ${JSON.stringify(seen)}`);
}

describe("the public change feed", () => {
  let p: TestPlatform;
  let listener: ChangeListener;
  const seen: PublicChange[] = [];
  let rsj: number;
  let portal: number;
  let admin: Actor;

  before(async () => {
    p = await startTestPlatform("demo");
    rsj = await siteId(p.ctx, "rsj");
    portal = await siteId(p.ctx, "www");
    const staff = await staffWith(p.ctx, [{ role: "site_admin" }], "feedadmin");
    admin = (await loadActor(p.ctx, staff.id)) as Actor;
    listener = listenForPublicChanges(p.ctx, (change) => seen.push(change));
    await listener.ready;
  });
  after(async () => {
    await listener.close();
    await p.close();
  });

  /** Runs `work` and returns the rows it added to the feed. */
  async function changesOf(work: () => Promise<unknown>): Promise<PublicChange[]> {
    const from = await latestPublicChangeId(p.ctx);
    await work();
    return publicChangesSince(p.ctx, from);
  }

  it("records publishing and withdrawing a document, on its own site and where it is referenced", async () => {
    const tzgg = await columnId(p.ctx, "rsj", "tzgg");
    await p.ctx.db.updateTable("columns").set({ review_steps: [] }).where("id", "=", tzgg).execute();
    let documentId = 0;
    const drafted = await changesOf(async () => {
      documentId = await createDocument(p.ctx, admin, {
        columnId: tzgg,
        type: "notice",
        title: "关于缓存测试的通知",
        summary: "",
        bodyHtml: "<p>正文</p>",
        metadata: { source: "市人社局" },
        attachmentIds: [],
      });
    });
    assert.deepEqual(drafted, [], "a draft shows on no public page");

    const published = await changesOf(() => submitForReview(p.ctx, admin, documentId, null));
    assert.ok(
      published.some((c) => c.kind === "document" && c.siteId === rsj && c.refId === documentId),
      JSON.stringify(published),
    );
    await heard(seen, (c) => c.id === published[0]?.id, "publishing");

    // referenced (引用) in a portal column: the portal's pages change too
    const portalColumn = (await columnsOf(p.ctx, portal)).find((c) => c.type === "list")?.id ?? 0;
    const placed = await changesOf(() =>
      p.ctx.db
        .insertInto("placements")
        .values({ document_id: documentId, column_id: portalColumn })
        .execute(),
    );
    assert.deepEqual(
      placed.map((c) => [c.kind, c.siteId, c.refId]),
      [["document", portal, documentId]],
    );

    const withdrawn = await changesOf(() => withdraw(p.ctx, admin, documentId, "测试撤稿"));
    const sites = new Set(withdrawn.filter((c) => c.refId === documentId).map((c) => c.siteId));
    assert.deepEqual([...sites].sort(), [rsj, portal].sort(), "withdrawn from both sites");
    await heard(seen, (c) => c.id === withdrawn.at(-1)?.id, "withdrawing");
  });

  it("records editing a column", async () => {
    const column = (await columnsOf(p.ctx, rsj))[0];
    assert.ok(column);
    const current = await getColumn(p.ctx, column.id);
    const edited = await changesOf(() =>
      updateColumn(p.ctx, column.id, {
        siteId: current.site_id,
        parentId: current.parent_id,
        slug: current.slug,
        name: `${current.name}（新）`,
        type: current.type,
        columnType: current.column_type,
        description: current.description,
        keywords: current.keywords,
        linkUrl: current.link_url ?? "",
        updateDays: current.update_days,
        reviewSteps: current.review_steps,
        position: current.position,
        inNav: current.in_nav,
      }),
    );
    assert.deepEqual(
      edited.map((c) => [c.kind, c.siteId, c.refId]),
      [["column", rsj, column.id]],
    );
    await heard(seen, (c) => c.id === edited[0]?.id, "the column edit");
    const unchanged = await changesOf(() =>
      p.ctx.db
        .updateTable("columns")
        .set({ name: `${current.name}（新）` })
        .where("id", "=", column.id)
        .execute(),
    );
    assert.deepEqual(unchanged, [], "an update that changes nothing records nothing");
  });

  it("records a letter reply being sent and published", async () => {
    const second = (await loadActor(
      p.ctx,
      (
        await staffWith(p.ctx, [{ role: "site_admin", siteId: portal }], "feedhead")
      ).id,
    )) as Actor;
    const first = (await loadActor(
      p.ctx,
      (
        await staffWith(p.ctx, [{ role: "site_admin", siteId: portal }], "feedintake")
      ).id,
    )) as Actor;
    const letter = await submitLetter(p.ctx, {
      mailboxSiteId: portal,
      citizenId: null,
      publishConsent: true,
      files: [],
      type: "咨询",
      title: "社保卡补办要多久",
      body: "我的社保卡丢失了，请问补办社保卡需要多长时间，在哪里办理？",
      name: "李四",
      phone: "13900001234",
      email: "",
    });
    await actOnLetter(p.ctx, first, letter.id, "accept");
    await actOnLetter(p.ctx, first, letter.id, "submit_reply", {
      body: "您好！社保卡补办可在市民中心社保窗口当场办结，请携带本人身份证原件前往办理。",
    });
    const replied = await changesOf(() => actOnLetter(p.ctx, second, letter.id, "approve_reply"));
    assert.ok(
      replied.some((c) => c.kind === "letter" && c.siteId === portal && c.refId === letter.id),
      JSON.stringify(replied),
    );
    const shown = await changesOf(() => setPublished(p.ctx, second, letter.id, true));
    assert.ok(shown.some((c) => c.kind === "letter" && c.refId === letter.id));
    await heard(seen, (c) => c.id === shown.at(-1)?.id, "publishing the letter");
  });

  it("records saving a service guide", async () => {
    const item = await p.ctx.db
      .selectFrom("service_items")
      .select("id")
      .orderBy("id")
      .executeTakeFirstOrThrow();
    const form = itemToForm(await getItem(p.ctx, item.id));
    const saved = await changesOf(() =>
      saveItem(p.ctx, admin, item.id, { ...form, hours: "工作日 9:00-17:00" }),
    );
    assert.ok(
      saved.some((c) => c.kind === "service" && c.refId === item.id),
      JSON.stringify(saved),
    );
    await heard(seen, (c) => c.id === saved.at(-1)?.id, "the guide");
  });

  it("a bulk loader can stay quiet and record one cluster-wide change itself", async () => {
    const quiet = await changesOf(() =>
      p.ctx.db.transaction().execute(async (trx) => {
        await sql`set local zhengwu.quiet_public_changes = 'on'`.execute(trx);
        await trx.updateTable("faqs").set({ updated_at: new Date() }).execute();
      }),
    );
    assert.deepEqual(quiet, []);
  });
});
