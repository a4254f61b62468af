import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { after, before, describe, it } from "node:test";
import { crc32, deflateSync } from "node:zlib";
import { sql } from "kysely";
import type { Browser } from "playwright-core";
import { chinaDay } from "../src/core/calendar.ts";
import { publishDueVersions } from "../src/modules/content/service.ts";
import { usccCheckChar } from "../src/modules/disclosure/catalogue.ts";
import { assertAccessible, launchBrowser } from "./support/browser.ts";
import type { HttpClient } from "./support/http.ts";
import {
  columnId,
  siteId,
  staffClient,
  staffWith,
  startTestPlatform,
  TEST_PASSWORD,
  type TestPlatform,
} from "./support/platform.ts";
import { databaseSnapshot, latestVersion } from "./support/snapshot.ts";

interface CorpusPolicy {
  id: string;
  title: string;
  doc_number: string;
  issuer_department: string;
  co_issuer_departments: string[];
  written_date: string;
  published_date: string;
  theme: string;
  validity: string;
  replaced_by: string | null;
  interpretation_id: string | null;
}
interface CorpusInterpretation {
  id: string;
  title: string;
  policy_id: string;
}

/** Text of an HTML fragment: tags dropped, the escaper's entities undone, space collapsed. */
function text(html: string): string {
  return html
    .replace(/<[^>]+>/g, " ")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&")
    .replace(/\s+/g, " ")
    .trim();
}

/** Text without any white space, for Chinese sentences split by inline tags. */
function flat(html: string): string {
  return text(html).replace(/\s+/g, "");
}

/** The rows of the library's result table, as cells of text plus the document id linked. */
function libraryRows(html: string): { id: number; cells: string[] }[] {
  const start = html.indexOf('<table class="data library"');
  if (start < 0) return [];
  const table = html.slice(start, html.indexOf("</table>", start));
  return table
    .split(/<tr\b/)
    .slice(2)
    .map((row) => ({
      id: Number(/\/art\/(\d+)\.html/.exec(row)?.[1]),
      cells: [...row.matchAll(/<td\b[^>]*>([\s\S]*?)<\/td>/g)].map((m) => text(m[1] ?? "")),
    }));
}

function totalOf(html: string): number {
  const m = /共 (?:<!-- -->)?(\d+)(?:<!-- -->)? 件/.exec(html);
  assert.ok(m, "页面上没有结果总数");
  return Number(m[1]);
}

/** The error summary of a refused form, for assertion messages. */
function problemOf(html: string): string {
  const start = html.indexOf('class="error-summary');
  return start < 0 ? text(html).slice(0, 300) : text(html.slice(start, start + 1500)).slice(0, 300);
}

/** The cells of the row of a metadata table headed `name`. */
function fact(html: string, name: string): string | undefined {
  const m = new RegExp(`<th scope="row">${name}</th><td>([\\s\\S]*?)</td>`).exec(html);
  return m ? text(m[1] ?? "") : undefined;
}

/** A real 2×2 PNG, so the upload passes the magic-byte check and an <img> can show it. */
function png(): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(2, 0);
  header.writeUInt32BE(2, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // RGB
  const rows = Buffer.from([0, 200, 30, 30, 200, 30, 30, 0, 200, 30, 30, 200, 30, 30]);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(rows)),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

const INDEX_NO = /^[0-9A-HJ-NPQRTUWXY]{18}\/\d{4}-\d{5}$/;

describe("政策文件库: 索引号, catalogue metadata, interpretations and the 时效 report", () => {
  let p: TestPlatform;
  let corpus: { policies: CorpusPolicy[]; interpretations: CorpusInterpretation[] };
  let rsj: number;
  let jtj: number;
  let rsjZcwj: number;
  let rsjZcjd: number;
  let jtjZcwj: number;
  let rsjCode: string;
  let jtjCode: string;
  let rsjDept: number;
  let editor: HttpClient;
  let chief: HttpClient;
  let jtjEditor: HttpClient;
  let jtjChief: HttpClient;
  let root: HttpClient;
  let rootName: string;
  const visitor = () => p.client();
  const year = Number(chinaDay().slice(0, 4));

  const docIdOf = async (ref: string) =>
    (await p.ctx.db.selectFrom("documents").select("id").where("ref", "=", ref).executeTakeFirstOrThrow()).id;
  const indexNoOf = async (id: number) =>
    (await p.ctx.db.selectFrom("documents").select("index_no").where("id", "=", id).executeTakeFirstOrThrow())
      .index_no;

  const policyFields = (title: string, meta: Record<string, string> = {}) => ({
    type: "policy",
    title,
    summary: `${title}的内容概述`,
    bodyHtml: `<p>${title}正文。</p>`,
    "meta.issuer": "青禾市人力资源和社会保障局",
    "meta.doc_number": "",
    "meta.written_date": chinaDay(),
    "meta.theme": "劳动、人事、监察",
    "meta.doc_form": "通知/意见/方案",
    "meta.validity": "有效",
    ...meta,
  });

  async function create(
    client: HttpClient,
    column: number,
    fields: Record<string, string>,
    files?: Record<string, { name: string; data: Buffer; type?: string }[]>,
  ) {
    return client.submit(
      "/admin/documents/new",
      "/admin/documents/new",
      { columnId: String(column), ...fields },
      files,
    );
  }
  async function createOk(
    client: HttpClient,
    column: number,
    fields: Record<string, string>,
    files?: Record<string, { name: string; data: Buffer; type?: string }[]>,
  ): Promise<number> {
    const r = await create(client, column, fields, files);
    assert.equal(r.status, 303, problemOf(r.text));
    const id = Number(/\/admin\/documents\/(\d+)/.exec(r.location)?.[1]);
    assert.ok(id > 0);
    return id;
  }
  const submit = (client: HttpClient, id: number) =>
    client.submit(`/admin/documents/${id}`, `/admin/documents/${id}/submit`, { publishAt: "" });
  async function decide(client: HttpClient, id: number) {
    const version = await latestVersion(p.ctx.db, id);
    return client.submit(`/admin/documents/${id}`, `/admin/versions/${version.id}/decide`, {
      decision: "approve",
      comment: "",
    });
  }
  /** Submits and passes 科室初审; the final step (办公室终审) is left to the caller. */
  async function toFinalStep(id: number, author = editor, reviewer = chief) {
    const submitted = await submit(author, id);
    assert.equal(submitted.status, 303, problemOf(submitted.text));
    const decided = await decide(reviewer, id);
    assert.equal(decided.status, 303, problemOf(decided.text));
    const v = await latestVersion(p.ctx.db, id);
    assert.equal(v.status, "in_review");
    assert.equal(v.review_level, 2);
  }
  async function publish(id: number, author = editor, reviewer = chief) {
    await toFinalStep(id, author, reviewer);
    await finish(id, reviewer);
  }
  /** The last review step: the document goes live. */
  async function finish(id: number, reviewer = chief) {
    const r = await decide(reviewer, id);
    assert.equal(r.status, 303, problemOf(r.text));
    assert.match(r.location, /msg=published/);
  }
  /** Saves a new version with changed fields, keeping the rest of the latest version. */
  async function edit(client: HttpClient, id: number, changes: Record<string, string>) {
    const v = await latestVersion(p.ctx.db, id);
    const fields: Record<string, string> = { title: v.title, summary: v.summary, bodyHtml: v.body_html };
    for (const [k, value] of Object.entries(v.metadata)) fields[`meta.${k}`] = value;
    return client.submit(`/admin/documents/${id}`, `/admin/documents/${id}`, { ...fields, ...changes });
  }
  const rsjPage = (id: number) => `/sites/rsj/art/${id}.html`;

  before(async () => {
    p = await startTestPlatform("demo");
    corpus = JSON.parse(await readFile(new URL("../demo/policies.json", import.meta.url), "utf8"));
    rsj = await siteId(p.ctx, "rsj");
    jtj = await siteId(p.ctx, "jtj");
    rsjZcwj = await columnId(p.ctx, "rsj", "zcwj");
    rsjZcjd = await columnId(p.ctx, "rsj", "zcjd");
    jtjZcwj = await columnId(p.ctx, "jtj", "zcwj");
    const dept = async (ref: string) =>
      p.ctx.db
        .selectFrom("departments")
        .select(["id", "org_code"])
        .where("ref", "=", ref)
        .executeTakeFirstOrThrow();
    const rsjRow = await dept("dept-rsj");
    rsjDept = rsjRow.id;
    rsjCode = rsjRow.org_code ?? "";
    jtjCode = (await dept("dept-jtj")).org_code ?? "";
    assert.match(rsjCode, /^[0-9A-Z]{18}$/);
    editor = await staffClient(p, (await staffWith(p.ctx, [{ role: "editor", siteId: rsj }], "ed")).username);
    chief = await staffClient(
      p,
      (await staffWith(p.ctx, [{ role: "site_admin", siteId: rsj }], "chief")).username,
    );
    jtjEditor = await staffClient(
      p,
      (await staffWith(p.ctx, [{ role: "editor", siteId: jtj }], "jtjed")).username,
    );
    jtjChief = await staffClient(
      p,
      (await staffWith(p.ctx, [{ role: "site_admin", siteId: jtj }], "jtjchief")).username,
    );
    rootName = (await staffWith(p.ctx, [{ role: "sysadmin" }, { role: "site_admin" }], "root")).username;
    root = await staffClient(p, rootName);
  });
  after(() => p.close());

  /* ------------------------------------------------------------------ the library */

  describe("the library at /zcwjk/ and /sites/{code}/zcwjk/", () => {
    const all = () => corpus.policies;
    const ids = async (refs: CorpusPolicy[]) => new Set(await Promise.all(refs.map((r) => docIdOf(r.id))));
    async function everyPage(path: string): Promise<{ ids: number[]; total: number; pages: string[] }> {
      const found: number[] = [];
      const pages: string[] = [];
      let total = 0;
      for (let page = 1; page <= 10; page++) {
        const sep = path.includes("?") ? "&" : "?";
        const r = await visitor().get(page === 1 ? path : `${path}${sep}page=${page}`);
        assert.equal(r.status, 200, path);
        pages.push(r.text);
        total = totalOf(r.text);
        const rows = libraryRows(r.text);
        if (rows.length === 0) break;
        found.push(...rows.map((row) => row.id));
        if (found.length >= total) break;
      }
      return { ids: found, total, pages };
    }

    it("lists every public policy of the cluster on the portal, 20 a page, each once", async () => {
      const r = await everyPage("/zcwjk/");
      assert.equal(r.total, all().length);
      assert.equal(r.ids.length, all().length);
      assert.deepEqual(new Set(r.ids), await ids(all()));
      assert.equal(libraryRows(r.pages[0] ?? "").length, 20);
      assert.match(r.pages[0] ?? "", /第 (<!-- -->)?1(<!-- -->)?\/(<!-- -->)?3(<!-- -->)? 页/);
      // past the last page: an empty page that says so, not an error
      const beyond = await visitor().get("/zcwjk/?page=9");
      assert.equal(beyond.status, 200);
      assert.equal(libraryRows(beyond.text).length, 0);
      assert.match(beyond.text, /没有符合条件的政策文件/);
      // every row carries a well-formed 索引号
      for (const page of r.pages)
        for (const row of libraryRows(page)) assert.match(row.cells[0] ?? "", INDEX_NO);
      // without the slash it redirects, keeping the query
      const bare = await visitor().get("/zcwjk?validity=失效");
      assert.equal(bare.status, 301);
      assert.equal(bare.headers.get("location"), `/zcwjk/?validity=${encodeURIComponent("失效")}`);
    });

    it("filters by year, issuer, topic and validity, alone and combined", async () => {
      const q = (params: Record<string, string>) => `/zcwjk/?${new URLSearchParams(params)}`;
      const cases: [Record<string, string>, (x: CorpusPolicy) => boolean][] = [
        [{ year: "2025" }, (x) => x.written_date.startsWith("2025")],
        [{ year: "2024", yearOf: "published" }, (x) => x.published_date.startsWith("2024")],
        [
          { issuer: String(rsjDept) },
          (x) => x.issuer_department === "dept-rsj" || x.co_issuer_departments.includes("dept-rsj"),
        ],
        [{ theme: "劳动、人事、监察" }, (x) => x.theme === "劳动、人事、监察"],
        [{ validity: "失效" }, (x) => x.validity === "失效"],
        [{ validity: "废止" }, (x) => x.validity === "废止"],
        [
          { issuer: String(rsjDept), validity: "有效", year: "2025" },
          (x) =>
            (x.issuer_department === "dept-rsj" || x.co_issuer_departments.includes("dept-rsj")) &&
            x.validity === "有效" &&
            x.written_date.startsWith("2025"),
        ],
        [{ theme: "卫生、体育", validity: "有效" }, (x) => x.theme === "卫生、体育" && x.validity === "有效"],
        [{ q: "社会保险" }, (x) => x.title.includes("社会保险") || x.doc_number.includes("社会保险")],
      ];
      for (const [params, keep] of cases) {
        const expected = all().filter(keep);
        assert.ok(expected.length > 0, `演示数据中应有符合 ${JSON.stringify(params)} 的政策`);
        const r = await everyPage(q(params));
        assert.equal(r.total, expected.length, JSON.stringify(params));
        assert.deepEqual(new Set(r.ids), await ids(expected), JSON.stringify(params));
        // the form shows the choices made, so the visitor can change them
        const first = r.pages[0] ?? "";
        if (params.validity)
          assert.ok(first.includes(`<option value="${params.validity}" selected>`), "有效性保持所选");
        if (params.theme)
          assert.ok(first.includes(`<option value="${params.theme}" selected>`), "主题保持所选");
        assert.ok(first.includes("清除条件"));
      }
      // an empty combination says so
      const none = await visitor().get(q({ validity: "废止", year: "2026" }));
      assert.equal(none.status, 200);
      assert.equal(
        totalOf(none.text),
        all().filter((x) => x.validity === "废止" && x.written_date.startsWith("2026")).length,
      );
      // nonsense in the query is ignored, never an error
      const junk = await visitor().get("/zcwjk/?year=abc&sort=drop&validity=x&issuer=-1&page=0");
      assert.equal(junk.status, 200);
      assert.equal(totalOf(junk.text), all().length);
    });

    it("sorts by 成文日期 and 发布日期 both ways", async () => {
      const column = (path: string, index: number) =>
        everyPage(path).then((r) =>
          r.pages.flatMap((page) => libraryRows(page).map((row) => row.cells[index] ?? "")),
        );
      const writtenAsc = await column("/zcwjk/?sort=written-asc", 4);
      const first = await visitor().get(`/zcwjk/?sort=written-asc&validity=${encodeURIComponent("有效")}`);
      assert.ok(
        first.text.includes(
          `href="/zcwjk/?validity=${encodeURIComponent("有效")}&amp;sort=written-asc&amp;page=2"`,
        ),
        "paging keeps the filter and the order",
      );
      assert.deepEqual(writtenAsc, [...all().map((x) => x.written_date)].sort());
      const writtenDesc = await column("/zcwjk/?sort=written-desc", 4);
      assert.deepEqual(writtenDesc, [...all().map((x) => x.written_date)].sort().reverse());
      const publishedAsc = await column("/zcwjk/?sort=published-asc", 5);
      assert.deepEqual(publishedAsc, [...all().map((x) => x.published_date)].sort());
      const publishedDefault = await column("/zcwjk/", 5);
      assert.deepEqual(publishedDefault, [...all().map((x) => x.published_date)].sort().reverse());
    });

    it("downloads the filtered catalogue as CSV and JSON, every match and not just one page", async () => {
      const params = `?${new URLSearchParams({ validity: "有效", sort: "written-asc" })}`;
      const expected = all().filter((x) => x.validity === "有效");
      const page = await visitor().get(`/zcwjk/${params}`);
      assert.ok(
        page.text.includes(
          `href="/zcwjk/index.csv?validity=${encodeURIComponent("有效")}&amp;sort=written-asc"`,
        ),
      );
      const csv = await visitor().request(`/zcwjk/index.csv${params}`);
      assert.equal(csv.status, 200);
      assert.match(csv.headers.get("content-type") ?? "", /^text\/csv; charset=utf-8/);
      assert.match(
        csv.headers.get("content-disposition") ?? "",
        /^attachment; filename="zcwjk-\d{4}-\d{2}-\d{2}\.csv"$/,
      );
      const bytes = Buffer.from(await csv.arrayBuffer());
      assert.deepEqual(
        [...bytes.subarray(0, 3)],
        [0xef, 0xbb, 0xbf],
        "a BOM, so spreadsheet software reads UTF-8",
      );
      const body = bytes.subarray(3).toString("utf8");
      assert.ok(body.startsWith("索引号,名称,内容概述,文号,发文机关,成文日期,发布日期,有效性,网址\r\n"));
      const lines = body.trim().split("\r\n").slice(1);
      assert.equal(lines.length, expected.length);
      const json = await visitor().request(`/zcwjk/index.json${params}`);
      assert.match(json.headers.get("content-type") ?? "", /^application\/json/);
      const data = (await json.json()) as {
        count: number;
        items: { index_no: string; title: string; written_date: string; validity: string; url: string }[];
      };
      assert.equal(data.count, expected.length);
      assert.deepEqual(
        data.items.map((i) => i.written_date),
        expected.map((x) => x.written_date).sort(),
      );
      assert.deepEqual(new Set(data.items.map((i) => i.title)), new Set(expected.map((x) => x.title)));
      for (const item of data.items) {
        assert.match(item.index_no, INDEX_NO);
        assert.equal(item.validity, "有效");
        assert.match(item.url, /^https?:\/\/[^/]+\/art\/\d+\.html$/);
      }
      // a department site's catalogue links within that site
      const own = (await (await visitor().request("/sites/rsj/zcwjk/index.json")).json()) as {
        count: number;
        items: { url: string }[];
      };
      assert.equal(own.count, all().filter((x) => x.issuer_department === "dept-rsj").length);
      assert.ok(own.items.every((i) => /\/sites\/rsj\/art\/\d+\.html$/.test(i.url)));
    });

    it("on a department site lists that site's policies, with the same filters and links within the site", async () => {
      const own = all().filter((x) => x.issuer_department === "dept-rsj");
      const r = await everyPage("/sites/rsj/zcwjk/");
      assert.equal(r.total, own.length);
      assert.deepEqual(new Set(r.ids), await ids(own));
      assert.ok(r.pages[0]?.includes(`href="/sites/rsj/art/${r.ids[0]}.html"`), "links stay in the site");
      const lapsed = own.filter((x) => x.validity !== "有效");
      assert.ok(lapsed.length > 0);
      const f = await everyPage(`/sites/rsj/zcwjk/?validity=${encodeURIComponent("失效")}`);
      assert.deepEqual(new Set(f.ids), await ids(own.filter((x) => x.validity === "失效")));
      assert.equal((await visitor().get("/sites/nosuch/zcwjk/")).status, 404);
    });
  });

  /* ------------------------------------------------------------------ 索引号 */

  describe("索引号", () => {
    /** The serial the next document of `prefix` should get this year, from what is on record. */
    async function nextSerial(prefix: string): Promise<number> {
      const row = await p.ctx.db
        .selectFrom("documents")
        .select((eb) => eb.fn.max("index_no").as("last"))
        .where("index_no", "like", `${prefix}/${year}-%`)
        .executeTakeFirst();
      return row?.last ? Number(row.last.slice(-5)) + 1 : 1;
    }
    const formatted = (prefix: string, serial: number) =>
      `${prefix}/${year}-${String(serial).padStart(5, "0")}`;

    it("is issued when a policy is first published, as org code/year-5-digit serial, and shown on its page", async () => {
      const id = await createOk(editor, rsjZcwj, policyFields("关于索引号生成测试的通知"));
      assert.equal(await indexNoOf(id), null, "a draft has no 索引号");
      await toFinalStep(id);
      assert.equal(await indexNoOf(id), null, "nor does a document in review");
      const expected = formatted(rsjCode, await nextSerial(rsjCode));
      await finish(id);
      const indexNo = await indexNoOf(id);
      assert.equal(indexNo, expected);
      assert.match(indexNo ?? "", INDEX_NO);
      const page = await visitor().get(rsjPage(id));
      assert.equal(page.status, 200);
      assert.equal(fact(page.text, "索引号"), expected);
      // found in the library by its 索引号
      const found = await visitor().get(`/zcwjk/?q=${encodeURIComponent(expected)}`);
      assert.deepEqual(
        libraryRows(found.text).map((r) => r.id),
        [id],
      );
      // a news item is not a catalogue item and gets none
      const news = await createOk(editor, await columnId(p.ctx, "rsj", "gzdt"), {
        type: "news",
        title: "人社局工作动态一则",
        summary: "",
        bodyHtml: "<p>动态。</p>",
        "meta.source": "市人社局",
      });
      await publish(news);
      assert.equal(await indexNoOf(news), null);
    });

    it("never changes: not on a new version, not by SQL, not after 撤稿 and republishing, and is never re-issued", async () => {
      const id = await createOk(editor, rsjZcwj, policyFields("关于索引号不变测试的通知"));
      await publish(id);
      const indexNo = await indexNoOf(id);
      assert.ok(indexNo);
      // a corrected version keeps it
      assert.equal((await edit(editor, id, { title: "关于索引号不变测试的通知（修订）" })).status, 303);
      await publish(id);
      assert.equal(await indexNoOf(id), indexNo);
      // the database itself refuses a change or a removal
      for (const value of [formatted(rsjCode, 99999), null]) {
        await assert.rejects(
          sql`update documents set index_no = ${value} where id = ${id}`.execute(p.ctx.db),
          /索引号一经生成不得修改/,
        );
      }
      // and a second document can never hold the same number
      const other = await createOk(editor, rsjZcwj, policyFields("关于索引号唯一测试的通知"));
      await assert.rejects(
        sql`update documents set index_no = ${indexNo} where id = ${other}`.execute(p.ctx.db),
        /duplicate key|unique/,
      );
      // 撤稿: off the site, the number stays with the document
      const withdrawn = await chief.submit(`/admin/documents/${id}`, `/admin/documents/${id}/withdraw`, {
        reason: "内容需要调整",
      });
      assert.equal(withdrawn.status, 303);
      assert.equal((await visitor().get(rsjPage(id))).status, 410);
      assert.equal(await indexNoOf(id), indexNo);
      // the next document gets the next serial, not the withdrawn one's
      const serial = Number(indexNo?.slice(-5));
      await publish(other);
      assert.equal(await indexNoOf(other), formatted(rsjCode, serial + 1));
      // republished, it comes back under its old number
      assert.equal((await edit(editor, id, { title: "关于索引号不变测试的通知（重新发布）" })).status, 303);
      await publish(id);
      assert.equal(await indexNoOf(id), indexNo);
      const page = await visitor().get(rsjPage(id));
      assert.equal(page.status, 200);
      assert.equal(fact(page.text, "索引号"), indexNo);
    });

    it("is issued when a scheduled document goes live; a publisher without a code holds back only its own", async () => {
      const inAnHour = new Date(Date.now() + 8 * 3600_000 + 3600_000).toISOString().slice(0, 16);
      const schedule = async (id: number, author: HttpClient, reviewer: HttpClient) => {
        const r = await author.submit(`/admin/documents/${id}`, `/admin/documents/${id}/submit`, {
          publishAt: inAnHour,
        });
        assert.equal(r.status, 303, problemOf(r.text));
        assert.equal((await decide(reviewer, id)).status, 303);
        const last = await decide(reviewer, id);
        assert.match(last.location, /msg=scheduled/);
      };
      const rsjDoc = await createOk(editor, rsjZcwj, policyFields("定时发布的人社政策文件"));
      const jtjDoc = await createOk(
        jtjEditor,
        jtjZcwj,
        policyFields("定时发布的交通政策文件", {
          "meta.issuer": "青禾市交通运输局",
          "meta.theme": "工业、交通",
        }),
      );
      await schedule(rsjDoc, editor, chief);
      await schedule(jtjDoc, jtjEditor, jtjChief);
      assert.equal(await indexNoOf(rsjDoc), null, "not before it goes live");
      const jtjDept = (
        await p.ctx.db
          .selectFrom("departments")
          .select("id")
          .where("ref", "=", "dept-jtj")
          .executeTakeFirstOrThrow()
      ).id;
      const orgs = "/admin/disclosure/orgs";
      assert.equal((await root.submit(orgs, orgs, { [`org.${jtjDept}`]: "" })).status, 303);
      try {
        await sql`update document_versions set publish_at = now() - interval '1 minute'
          where document_id in (${rsjDoc}, ${jtjDoc}) and status = 'approved'`.execute(p.ctx.db);
        const expected = formatted(rsjCode, await nextSerial(rsjCode));
        await assert.rejects(publishDueVersions(p.ctx), (error: unknown) => {
          assert.ok(error instanceof AggregateError);
          assert.match(String((error.errors[0] as Error).message), /尚未设置统一社会信用代码/);
          return true;
        });
        assert.equal(await indexNoOf(rsjDoc), expected);
        assert.equal((await visitor().get(rsjPage(rsjDoc))).status, 200);
        assert.equal(await indexNoOf(jtjDoc), null);
        assert.equal((await latestVersion(p.ctx.db, jtjDoc)).status, "approved", "waits for the next run");
      } finally {
        assert.equal((await root.submit(orgs, orgs, { [`org.${jtjDept}`]: jtjCode })).status, 303);
      }
      assert.equal(await publishDueVersions(p.ctx), 1);
      assert.match((await indexNoOf(jtjDoc)) ?? "", new RegExp(`^${jtjCode}/${year}-\\d{5}$`));
    });

    it("stays unique when several documents of two organisations are published at the same moment", async () => {
      const rsjIds: number[] = [];
      const jtjIds: number[] = [];
      for (let i = 1; i <= 6; i++) {
        const id = await createOk(editor, rsjZcwj, policyFields(`并发发布测试政策${i}`));
        await toFinalStep(id);
        rsjIds.push(id);
      }
      for (let i = 1; i <= 3; i++) {
        const id = await createOk(
          jtjEditor,
          jtjZcwj,
          policyFields(`交通并发发布测试政策${i}`, {
            "meta.issuer": "青禾市交通运输局",
            "meta.theme": "工业、交通",
          }),
        );
        await toFinalStep(id, jtjEditor, jtjChief);
        jtjIds.push(id);
      }
      const firstRsj = await nextSerial(rsjCode);
      const firstJtj = await nextSerial(jtjCode);
      const results = await Promise.all([
        ...rsjIds.map((id) => decide(chief, id)),
        ...jtjIds.map((id) => decide(jtjChief, id)),
      ]);
      for (const r of results) {
        assert.equal(r.status, 303, text(r.text).slice(0, 300));
        assert.match(r.location, /msg=published/);
      }
      const numbers = async (list: number[]) => Promise.all(list.map((id) => indexNoOf(id)));
      const rsjNumbers = await numbers(rsjIds);
      const jtjNumbers = await numbers(jtjIds);
      assert.deepEqual(
        [...rsjNumbers].sort(),
        [0, 1, 2, 3, 4, 5].map((i) => formatted(rsjCode, firstRsj + i)),
        "six consecutive serials, none twice",
      );
      assert.deepEqual(
        [...jtjNumbers].sort(),
        [0, 1, 2].map((i) => formatted(jtjCode, firstJtj + i)),
      );
      const counter = await p.ctx.db
        .selectFrom("index_counters")
        .select("last_serial")
        .where("prefix", "=", rsjCode)
        .where("year", "=", year)
        .executeTakeFirstOrThrow();
      assert.equal(counter.last_serial, firstRsj + 5);
      const { rows } = await sql<{ n: string }>`
        select count(*)::text as n from (select index_no from documents where index_no is not null
        group by index_no having count(*) > 1) dup`.execute(p.ctx.db);
      assert.equal(rows[0]?.n, "0");
    });

    it("starts a fresh series at 00001 for a new code, even when its first numbers are taken at once", async () => {
      const jtjDept = (
        await p.ctx.db
          .selectFrom("departments")
          .select("id")
          .where("ref", "=", "dept-jtj")
          .executeTakeFirstOrThrow()
      ).id;
      const first17 = "12999900MB0999998";
      const fresh = `${first17}${usccCheckChar(first17)}`;
      const orgs = "/admin/disclosure/orgs";
      const ids: number[] = [];
      for (let i = 1; i <= 4; i++) {
        const id = await createOk(
          jtjEditor,
          jtjZcwj,
          policyFields(`新代码并发测试政策${i}`, {
            "meta.issuer": "青禾市交通运输局",
            "meta.theme": "工业、交通",
          }),
        );
        await toFinalStep(id, jtjEditor, jtjChief);
        ids.push(id);
      }
      assert.equal((await root.submit(orgs, orgs, { [`org.${jtjDept}`]: fresh })).status, 303);
      try {
        const results = await Promise.all(ids.map((id) => decide(jtjChief, id)));
        for (const r of results) assert.equal(r.status, 303, problemOf(r.text));
        const numbers = await Promise.all(ids.map((id) => indexNoOf(id)));
        assert.deepEqual(
          [...numbers].sort(),
          [1, 2, 3, 4].map((n) => formatted(fresh, n)),
        );
      } finally {
        assert.equal((await root.submit(orgs, orgs, { [`org.${jtjDept}`]: jtjCode })).status, 303);
      }
      // numbers already given keep the code they were given under
      const old = await p.ctx.db
        .selectFrom("documents")
        .select("index_no")
        .where("index_no", "like", `${jtjCode}/%`)
        .execute();
      assert.ok(old.length > 0);
    });
  });

  /* ------------------------------------------------------------------ policy pages */

  describe("policy pages", () => {
    const policy = (ref: string) => {
      const found = corpus.policies.find((x) => x.id === ref);
      assert.ok(found);
      return found;
    };

    it("show the full metadata block, and a 失效 notice before the title linking to the replacing document", async () => {
      const old = policy("pol-001");
      assert.equal(old.validity, "失效");
      const successor = policy(old.replaced_by ?? "");
      const id = await docIdOf(old.id);
      const successorId = await docIdOf(successor.id);
      const page = await visitor().get(rsjPage(id));
      assert.equal(page.status, 200);
      const html = page.text;
      assert.match(fact(html, "索引号") ?? "", INDEX_NO);
      assert.equal(fact(html, "主题分类"), old.theme);
      assert.ok(fact(html, "体裁分类"));
      assert.ok(fact(html, "发文机关")?.startsWith("青禾市人力资源和社会保障局"));
      assert.equal(fact(html, "文号"), old.doc_number);
      assert.equal(fact(html, "成文日期"), old.written_date);
      assert.equal(fact(html, "发布日期"), old.published_date);
      assert.equal(fact(html, "有效性"), "失效");
      assert.equal(fact(html, "失效日期"), successor.published_date);
      assert.equal(fact(html, "公开属性"), "主动公开");
      assert.equal(fact(html, "名称"), old.title);
      assert.ok(fact(html, "内容概述") !== undefined || !html.includes("内容概述"));
      // the notice comes first, says what happened and where the current rules are
      const banner = html.indexOf("validity-banner");
      assert.ok(banner > 0 && banner < html.indexOf("<h1"), "notice before the title");
      const notice = html.slice(banner, html.indexOf("</div>", banner));
      assert.match(flat(notice), /本文件已失效/);
      assert.ok(notice.includes(`href="/sites/rsj/art/${successorId}.html"`), "links to the successor");
      assert.match(flat(notice), new RegExp(`已被《${successor.title}》替代`));
      // and the successor names what it replaced
      const next = await visitor().get(rsjPage(successorId));
      const replaces = next.text.slice(next.text.indexOf('id="related-replaces"'));
      assert.ok(replaces.includes(`/art/${id}.html`));
    });

    it("say 废止 prominently for a repealed document, on the portal too", async () => {
      const repealed = corpus.policies.find((x) => x.validity === "废止" && x.replaced_by);
      assert.ok(repealed);
      const page = await visitor().get(`/art/${await docIdOf(repealed.id)}.html`);
      assert.equal(page.status, 200);
      const banner = page.text.indexOf("validity-banner");
      assert.ok(banner > 0 && banner < page.text.indexOf("<h1"));
      const notice = flat(page.text.slice(banner, page.text.indexOf("</div>", banner)));
      assert.match(notice, /本文件已废止/);
      const successor = policy(repealed.replaced_by ?? "");
      assert.match(notice, new RegExp(`已被《${successor.title}》废止`));
      assert.equal(fact(page.text, "有效性"), "废止");
      // a valid one has no such notice
      const valid = corpus.policies.find((x) => x.validity === "有效");
      assert.ok(valid);
      const ok = await visitor().get(`/art/${await docIdOf(valid.id)}.html`);
      assert.equal(ok.status, 200);
      assert.ok(!ok.text.includes("validity-banner"));
    });

    it("change validity through an edit: the rules between the fields, then the notice, link and library", async () => {
      const a = await createOk(
        editor,
        rsjZcwj,
        policyFields("青禾市旧版就业补贴办法", { "meta.valid_from": "2026-01-01" }),
      );
      await publish(a);
      const b = await createOk(editor, rsjZcwj, policyFields("青禾市新版就业补贴办法"));
      await publish(b);
      const jd = await createOk(editor, rsjZcjd, {
        type: "interpretation",
        title: "旧版就业补贴办法解读",
        summary: "",
        bodyHtml: "<p>解读。</p>",
        "meta.interpreter": "青禾市人力资源和社会保障局",
        "meta.policy_ref": String(a),
      });
      await publish(jd);
      assert.equal(fact((await visitor().get(rsjPage(jd))).text, "相关政策"), "《青禾市旧版就业补贴办法》");
      const problems: [Record<string, string>, RegExp][] = [
        [{ "meta.validity": "废止", "meta.valid_to": "" }, /请填写失效或废止日期/],
        [{ "meta.validity": "有效", "meta.replaced_by": String(b) }, /有效性应为失效或废止/],
        [{ "meta.validity": "废止", "meta.valid_to": "2025-12-31" }, /失效或废止日期不能早于生效日期/],
        [{ "meta.validity": "废止", "meta.valid_to": "2026-02-30" }, /不是有效日期/],
        [
          { "meta.validity": "废止", "meta.valid_to": "2026-11-01", "meta.replaced_by": String(a) },
          /不能选择本文件自身/,
        ],
      ];
      for (const [changes, message] of problems) {
        const before = await databaseSnapshot(p.ctx.db);
        const r = await edit(editor, a, changes);
        assert.equal(r.status, 400, JSON.stringify(changes));
        assert.match(r.text, message);
        assert.deepEqual(await databaseSnapshot(p.ctx.db), before, "nothing saved");
      }
      assert.equal(
        (
          await edit(editor, a, {
            "meta.validity": "废止",
            "meta.valid_to": "2026-11-01",
            "meta.replaced_by": String(b),
          })
        ).status,
        303,
      );
      // still 有效 on the site until the change passes review
      assert.ok(!(await visitor().get(rsjPage(a))).text.includes("validity-banner"));
      await publish(a);
      const page = await visitor().get(rsjPage(a));
      const banner = page.text.slice(page.text.indexOf("validity-banner"));
      assert.match(flat(banner.slice(0, banner.indexOf("</div>"))), /本文件已废止（废止日期：2026-11-01）/);
      assert.ok(banner.includes(`href="/sites/rsj/art/${b}.html"`));
      assert.equal(fact(page.text, "废止日期"), "2026-11-01");
      // its interpretation says the policy it explains is no longer in force
      const jdPage = await visitor().get(rsjPage(jd));
      assert.equal(flat(fact(jdPage.text, "相关政策") ?? ""), "《青禾市旧版就业补贴办法》已废止");
      assert.match(
        flat(jdPage.text.slice(jdPage.text.indexOf('id="related-policy"'))),
        /青禾市旧版就业补贴办法已废止/,
      );
      const newer = await visitor().get(rsjPage(b));
      assert.ok(newer.text.slice(newer.text.indexOf('id="related-replaces"')).includes(`/art/${a}.html`));
      const lib = await visitor().get(
        `/zcwjk/?validity=${encodeURIComponent("废止")}&q=${encodeURIComponent("就业补贴办法")}`,
      );
      assert.deepEqual(
        libraryRows(lib.text).map((r) => r.id),
        [a],
      );
    });

    it("lapse by themselves when the 有效期 they were given has run out", async () => {
      const expired = await createOk(
        editor,
        rsjZcwj,
        policyFields("青禾市2025年度临时性稳岗补助办法", {
          "meta.valid_from": "2025-01-01",
          "meta.valid_to": "2025-12-31",
        }),
      );
      await publish(expired);
      const current = await createOk(
        editor,
        rsjZcwj,
        policyFields("青禾市长期稳岗补助办法", {
          "meta.valid_from": "2026-01-01",
          "meta.valid_to": "2099-12-31",
        }),
      );
      await publish(current);
      const gone = await visitor().get(rsjPage(expired));
      assert.equal(fact(gone.text, "有效性"), "失效");
      assert.equal(fact(gone.text, "有效期至"), "2025-12-31");
      const banner = gone.text.indexOf("validity-banner");
      assert.ok(banner > 0 && banner < gone.text.indexOf("<h1"));
      assert.match(
        flat(gone.text.slice(banner, gone.text.indexOf("</div>", banner))),
        /本文件已失效（有效期至2025-12-31）/,
      );
      const still = await visitor().get(rsjPage(current));
      assert.equal(fact(still.text, "有效性"), "有效");
      assert.equal(fact(still.text, "有效期至"), "2099-12-31");
      assert.ok(!still.text.includes("validity-banner"));
      const find = async (validity: string) =>
        libraryRows(
          (
            await visitor().get(
              `/zcwjk/?validity=${encodeURIComponent(validity)}&q=${encodeURIComponent("稳岗补助办法")}`,
            )
          ).text,
        );
      assert.deepEqual(
        (await find("失效")).map((r) => [r.id, r.cells[6]]),
        [[expired, "失效"]],
      );
      assert.deepEqual(
        (await find("有效")).map((r) => r.id),
        [current],
      );
    });

    it("link a policy to its interpretations and each interpretation back, both ways", async () => {
      const pairs = corpus.interpretations.slice(0, 5);
      assert.ok(pairs.length > 0);
      for (const item of pairs) {
        const policyId = await docIdOf(item.policy_id);
        const jdId = await docIdOf(item.id);
        const policyPage = await visitor().get(`/art/${policyId}.html`);
        assert.equal(policyPage.status, 200);
        const related = policyPage.text.slice(policyPage.text.indexOf('id="related-jd"'));
        assert.ok(policyPage.text.includes('id="related-jd"'), "相关解读 section");
        assert.ok(related.includes(`/art/${jdId}.html`), `${item.policy_id} → ${item.id}`);
        const jdPage = await visitor().get(`/art/${jdId}.html`);
        assert.equal(jdPage.status, 200);
        assert.ok(
          jdPage.text.slice(jdPage.text.indexOf('id="related-policy"')).includes(`/art/${policyId}.html`),
        );
        assert.match(fact(jdPage.text, "相关政策") ?? "", /^《.+》$/);
        assert.match(fact(jdPage.text, "索引号") ?? "", INDEX_NO);
      }
    });
  });

  /* ------------------------------------------------------------------ interpretations */

  describe("interpretation forms", () => {
    let policyId: number;
    const jdFields = (title: string, meta: Record<string, string>) => ({
      type: "interpretation",
      title,
      summary: "",
      bodyHtml: "<p>解读正文。</p>",
      "meta.interpreter": "青禾市人力资源和社会保障局",
      "meta.policy_ref": String(policyId),
      ...meta,
    });
    before(async () => {
      policyId = await createOk(editor, rsjZcwj, policyFields("青禾市技能提升补贴办法"));
      await publish(policyId);
    });

    it("图解: refused without its text alternative; shown as images described by the text", async () => {
      const before = await databaseSnapshot(p.ctx.db);
      const missing = await create(
        editor,
        rsjZcjd,
        jdFields("一图读懂技能提升补贴", { "meta.form": "图解" }),
        {
          files: [{ name: "tujie.png", data: png(), type: "image/png" }],
        },
      );
      assert.equal(missing.status, 400);
      assert.match(missing.text, /请填写图解文字说明/);
      assert.match(missing.text, /value="一图读懂技能提升补贴"/, "what was typed is kept");
      assert.deepEqual(await databaseSnapshot(p.ctx.db), before);
      // a 图解 without any image is not submitted
      const imageless = await createOk(
        editor,
        rsjZcjd,
        jdFields("没有图片的图解", { "meta.form": "图解", "meta.alt_text": "图片说明。" }),
      );
      const refused = await submit(editor, imageless);
      assert.equal(refused.status, 400);
      assert.match(refused.text, /图解解读须上传至少一张图片/);
      assert.equal((await latestVersion(p.ctx.db, imageless)).status, "draft");
      const id = await createOk(
        editor,
        rsjZcjd,
        jdFields("一图读懂技能提升补贴", {
          "meta.form": "图解",
          "meta.alt_text": "图一：补贴对象为参保职工。\n图二：每人每年最多申领一次，标准为1000元至2000元。",
        }),
        { files: [{ name: "tujie.png", data: png(), type: "image/png" }] },
      );
      await publish(id);
      const page = await visitor().get(rsjPage(id));
      assert.equal(page.status, 200);
      const img = /<img\b[^>]*>/.exec(page.text)?.[0] ?? "";
      assert.match(img, /alt="《一图读懂技能提升补贴》图解[^"]+"/);
      const src = /src="([^"]+)"/.exec(img)?.[1] ?? "";
      const file = await visitor().get(src);
      assert.equal(file.status, 200);
      assert.equal(file.headers.get("content-type"), "image/png");
      const describedBy = /aria-describedby="([^"]+)"/.exec(img)?.[1];
      assert.ok(describedBy, "the image points at its description");
      assert.ok(page.text.includes(`id="${describedBy}"`));
      assert.match(text(page.text), /图一：补贴对象为参保职工。 图二：每人每年最多申领一次/);
      assert.equal(fact(page.text, "解读形式"), "图解");
      // and the policy lists it among its interpretations, marked as 图解
      const policyPage = await visitor().get(rsjPage(policyId));
      const related = policyPage.text.slice(policyPage.text.indexOf('id="related-jd"'));
      assert.ok(related.includes(`/art/${id}.html`));
      assert.match(text(related), /一图读懂技能提升补贴 图解/);
    });

    it("视频: a checked web address, shown as a labelled link, never an embedded player", async () => {
      for (const [url, message] of [
        ["", /请填写视频地址/],
        ["javascript:alert(1)", /视频地址须为以 http:\/\/ 或 https:\/\/ 开头的网址/],
      ] as const) {
        const r = await create(
          editor,
          rsjZcjd,
          jdFields("技能提升补贴视频解读", { "meta.form": "视频", "meta.video_url": url }),
        );
        assert.equal(r.status, 400);
        assert.match(r.text, message);
      }
      const id = await createOk(
        editor,
        rsjZcjd,
        jdFields("技能提升补贴视频解读", {
          "meta.form": "视频",
          "meta.video_url": "https://video.qinghe.example/jd/42",
        }),
      );
      await publish(id);
      const page = await visitor().get(rsjPage(id));
      assert.match(page.text, /<a href="https:\/\/video\.qinghe\.example\/jd\/42"[^>]*>观看解读视频/);
      assert.match(text(page.text), /外部链接：video\.qinghe\.example/);
      assert.ok(!/<(iframe|video|embed|object)\b/.test(page.text));
    });

    it("问答: questions and answers entered as pairs, shown as headed questions with their answers", async () => {
      for (const [qa, message] of [
        ["", /请填写问答内容/],
        ["问：谁可以申领？", /每个问题后须有以“答：”开头的回答/],
        ["谁可以申领？参保职工。", /以“问：”开头/],
      ] as const) {
        const r = await create(
          editor,
          rsjZcjd,
          jdFields("技能提升补贴问答", { "meta.form": "问答", "meta.qa": qa }),
        );
        assert.equal(r.status, 400, qa);
        assert.match(r.text, message);
      }
      const id = await createOk(
        editor,
        rsjZcjd,
        jdFields("技能提升补贴问答", {
          "meta.form": "问答",
          "meta.qa":
            "问：谁可以申领？\n答：在本市参加失业保险满一年的职工。\n\n问：<b>多久</b>到账？\n答：审核通过后15个工作日内。\n逾期未到账的，可拨打12345咨询。",
        }),
      );
      await publish(id);
      const page = await visitor().get(rsjPage(id));
      const section = page.text.slice(page.text.indexOf('class="qa"'));
      assert.ok(page.text.includes('class="qa"'));
      const questions = [...section.matchAll(/<h3[^>]*>([\s\S]*?)<\/h3>/g)].map((m) => text(m[1] ?? ""));
      assert.deepEqual(questions.slice(0, 2), ["问：谁可以申领？", "问：<b>多久</b>到账？"]);
      assert.ok(!section.includes("<b>多久</b>"), "typed text is escaped");
      assert.match(text(section), /答：审核通过后15个工作日内。 逾期未到账的，可拨打12345咨询。/);
    });
  });

  /* ------------------------------------------------------------------ the interpretation gate */

  describe("publishing a 规范性文件 without an interpretation", () => {
    const normative = (title: string) =>
      policyFields(title, { "meta.normative": "on", "meta.doc_form": "办法/规定/细则" });
    const setGate = (gate: string, lagLimit = "3") =>
      root.submit("/admin/disclosure/settings", "/admin/disclosure/settings", {
        interpretationGate: gate,
        lagLimit,
      });

    it("warns the editor by default, and publishes", async () => {
      const id = await createOk(editor, rsjZcwj, normative("青禾市职业培训补贴管理办法"));
      const page = await editor.get(`/admin/documents/${id}`);
      assert.match(page.text, /本文件是行政规范性文件，尚无已提交或已发布的政策解读/);
      assert.match(page.text, /为本文件撰写政策解读/);
      await publish(id);
      assert.equal((await visitor().get(rsjPage(id))).status, 200);
      assert.equal(fact((await visitor().get(rsjPage(id))).text, "文件类别"), "行政规范性文件");
    });

    it("blocks the first publication when the setting says so, until an interpretation is submitted", async () => {
      assert.equal((await setGate("block")).status, 303);
      try {
        const id = await createOk(editor, rsjZcwj, normative("青禾市见习补贴管理办法"));
        await toFinalStep(id);
        const page = await chief.get(`/admin/documents/${id}`);
        assert.match(page.text, /按平台设置须与政策解读同步发布/);
        const refused = await decide(chief, id);
        assert.equal(refused.status, 400);
        assert.match(refused.text, /按平台设置须与政策解读同步发布/);
        const v = await latestVersion(p.ctx.db, id);
        assert.equal(v.status, "in_review", "the version stays at its step");
        assert.equal(v.review_level, 2);
        assert.equal(await indexNoOf(id), null, "no number spent");
        assert.equal((await visitor().get(rsjPage(id))).status, 404);
        // an ordinary policy is not held back
        const plain = await createOk(editor, rsjZcwj, policyFields("关于见习岗位申报的通知"));
        await publish(plain);
        // a draft interpretation is not enough; one submitted for review is
        const jd = await createOk(editor, rsjZcjd, {
          type: "interpretation",
          title: "《青禾市见习补贴管理办法》解读",
          summary: "",
          bodyHtml: "<p>一、制定背景。</p>",
          "meta.interpreter": "青禾市人力资源和社会保障局",
          "meta.policy_ref": String(id),
        });
        assert.equal((await decide(chief, id)).status, 400);
        assert.equal((await submit(editor, jd)).status, 303);
        const ok = await decide(chief, id);
        assert.equal(ok.status, 303);
        assert.match(ok.location, /msg=published/);
        assert.equal((await visitor().get(rsjPage(id))).status, 200);
      } finally {
        assert.equal((await setGate("warn")).status, 303);
      }
    });
  });

  /* ------------------------------------------------------------------ 公开时效 report */

  describe("the 时效 report at /admin/disclosure/lag", () => {
    /** Publishes a policy (and optionally its interpretation), then dates their publication. */
    async function dated(
      title: string,
      written: string,
      published: string,
      interpreted?: string,
    ): Promise<{ policy: number; jd?: number }> {
      const policy = await createOk(editor, rsjZcwj, policyFields(title, { "meta.written_date": written }));
      await publish(policy);
      await sql`update documents set first_published_at = ${`${published}T10:00:00+08:00`}::timestamptz
        where id = ${policy}`.execute(p.ctx.db);
      if (!interpreted) return { policy };
      const jd = await createOk(editor, rsjZcjd, {
        type: "interpretation",
        title: `《${title}》解读`,
        summary: "",
        bodyHtml: "<p>解读。</p>",
        "meta.interpreter": "青禾市人力资源和社会保障局",
        "meta.policy_ref": String(policy),
      });
      await publish(jd);
      await sql`update documents set first_published_at = ${`${interpreted}T15:00:00+08:00`}::timestamptz
        where id = ${jd}`.execute(p.ctx.db);
      return { policy, jd };
    }
    /** The rows of a report table, by the policy title in their first cell. */
    function reportRows(html: string, captionId: string): Map<string, string[]> {
      const start = html.indexOf(`<caption id="${captionId}"`);
      assert.ok(start > 0, `表格 ${captionId} 不存在`);
      const table = html.slice(start, html.indexOf("</table>", start));
      const rows = new Map<string, string[]>();
      for (const row of table.split(/<tr\b/).slice(2)) {
        const cells = [...row.matchAll(/<td\b[^>]*>([\s\S]*?)<\/td>/g)].map((m) => text(m[1] ?? ""));
        rows.set((cells[0] ?? "").replace(/ 规范性文件$/, ""), cells);
      }
      return rows;
    }
    const csvRows = (body: string) =>
      body
        .replace(/^\uFEFF/, "")
        .trim()
        .split("\r\n")
        .map((line) => line.split(","));

    before(async () => {
      // across the 2026 中秋/国庆 break (9-25…9-27, 10-1…10-7 off; 9-20 Sunday and 10-10 Saturday worked)
      await dated("时效测试甲：节后两日解读的政策", "2026-08-31", "2026-09-30", "2026-10-09");
      await dated("时效测试乙：调休周六解读的政策", "2026-09-01", "2026-09-24", "2026-10-10");
      await dated("时效测试丙：第三个工作日解读的政策", "2026-10-19", "2026-11-16", "2026-11-19");
      await dated("时效测试丁：成文后第二十一个工作日公开的政策", "2026-10-16", "2026-11-16");
    });

    it("counts working days on the calendar and flags lag beyond the limit (default 3)", async () => {
      const page = await chief.get("/admin/disclosure/lag");
      assert.equal(page.status, 200);
      const rows = reportRows(page.text, "lag-caption");
      // [title, 索引号, policy published, interpretation, its date, lag, status]
      const a = rows.get("时效测试甲：节后两日解读的政策");
      assert.deepEqual([a?.[2], a?.[4], a?.[5], a?.[6]], ["2026-09-30", "2026-10-09", "2", "按时"]);
      assert.match(a?.[1] ?? "", INDEX_NO);
      const b = rows.get("时效测试乙：调休周六解读的政策");
      assert.deepEqual([b?.[5], b?.[6]], ["6", "超时"]);
      const c = rows.get("时效测试丙：第三个工作日解读的政策");
      assert.deepEqual([c?.[5], c?.[6]], ["3", "按时"], "exactly at the limit is on time");
      assert.ok(
        !rows.has("时效测试丁：成文后第二十一个工作日公开的政策"),
        "not a 规范性文件, no interpretation due",
      );
      // another limit for one look, from the query
      const wider = reportRows((await chief.get("/admin/disclosure/lag?limit=6")).text, "lag-caption");
      assert.equal(wider.get("时效测试乙：调休周六解读的政策")?.[6], "按时");
      // nonsense falls back to the configured limit
      const junk = reportRows((await chief.get("/admin/disclosure/lag?limit=abc")).text, "lag-caption");
      assert.equal(junk.get("时效测试丙：第三个工作日解读的政策")?.[6], "按时");
      const narrower = reportRows((await chief.get("/admin/disclosure/lag?limit=2")).text, "lag-caption");
      assert.equal(narrower.get("时效测试丙：第三个工作日解读的政策")?.[6], "超时");
      assert.equal(narrower.get("时效测试甲：节后两日解读的政策")?.[6], "按时");
    });

    it("uses the configured limit, which only a platform administrator sets", async () => {
      const form = "/admin/disclosure/settings";
      const bad = await root.submit(form, form, { interpretationGate: "warn", lagLimit: "三天" });
      assert.equal(bad.status, 400);
      assert.match(bad.text, /解读发布时限为 0—30 之间的整数/);
      assert.match(bad.text, /value="三天"/);
      assert.equal(
        (await chief.submit("/admin/disclosure/lag", form, { interpretationGate: "warn", lagLimit: "6" }))
          .status,
        403,
      );
      assert.equal((await chief.get(form)).status, 403);
      assert.equal(
        (await root.submit(form, form, { interpretationGate: "warn", lagLimit: "6" })).status,
        303,
      );
      try {
        const rows = reportRows((await chief.get("/admin/disclosure/lag")).text, "lag-caption");
        assert.equal(rows.get("时效测试乙：调休周六解读的政策")?.[6], "按时");
      } finally {
        assert.equal(
          (await root.submit(form, form, { interpretationGate: "warn", lagLimit: "3" })).status,
          303,
        );
      }
      const rows = reportRows((await chief.get("/admin/disclosure/lag")).text, "lag-caption");
      assert.equal(rows.get("时效测试乙：调休周六解读的政策")?.[6], "超时");
    });

    it("lists 主动公开 items published more than 20 working days after 成文日期 (条例 Art 26)", async () => {
      const rows = reportRows((await chief.get("/admin/disclosure/lag")).text, "art26-caption");
      // [title, 索引号, 成文日期, 发布日期, working days]
      assert.deepEqual(rows.get("时效测试甲：节后两日解读的政策")?.slice(2), [
        "2026-08-31",
        "2026-09-30",
        "22",
      ]);
      assert.deepEqual(rows.get("时效测试丁：成文后第二十一个工作日公开的政策")?.slice(2), [
        "2026-10-16",
        "2026-11-16",
        "21",
      ]);
      assert.ok(!rows.has("时效测试丙：第三个工作日解读的政策"), "exactly 20 working days is in time");
      assert.ok(!rows.has("时效测试乙：调休周六解读的政策"));
    });

    it("downloads both tables as CSV", async () => {
      const lag = await chief.request("/admin/disclosure/lag/interpretations.csv");
      assert.equal(lag.status, 200);
      assert.match(lag.headers.get("content-type") ?? "", /^text\/csv/);
      assert.match(
        lag.headers.get("content-disposition") ?? "",
        /^attachment; filename="interpretation-lag-\d{4}-\d{2}-\d{2}\.csv"$/,
      );
      const lagRows = csvRows(await lag.text());
      assert.deepEqual(lagRows[0], [
        "索引号",
        "政策文件",
        "文号",
        "发文机关",
        "行政规范性文件",
        "政策发布日期",
        "解读",
        "解读发布日期",
        "间隔工作日",
        "状态",
      ]);
      const b = lagRows.find((r) => r[1] === "时效测试乙：调休周六解读的政策");
      assert.deepEqual(b?.slice(5), [
        "2026-09-24",
        "《时效测试乙：调休周六解读的政策》解读",
        "2026-10-10",
        "6",
        "超过3个工作日",
      ]);
      const wider = csvRows(
        await (await chief.request("/admin/disclosure/lag/interpretations.csv?limit=6")).text(),
      );
      assert.equal(wider.find((r) => r[1] === "时效测试乙：调休周六解读的政策")?.[9], "按时");
      const art26 = await chief.request("/admin/disclosure/lag/art26.csv");
      assert.equal(art26.status, 200);
      const art26Rows = csvRows(await art26.text());
      const d = art26Rows.find((r) => r[1] === "时效测试丁：成文后第二十一个工作日公开的政策");
      assert.deepEqual(d?.slice(4), ["2026-10-16", "2026-11-16", "21"]);
      assert.ok(!art26Rows.some((r) => r[1] === "时效测试丙：第三个工作日解读的政策"));
    });

    it("shows each site administrator their own sites only, and nobody else anything", async () => {
      const anonymous = visitor();
      for (const path of [
        "/admin/disclosure/lag",
        "/admin/disclosure/lag/interpretations.csv",
        "/admin/disclosure/lag/art26.csv",
      ]) {
        const r = await anonymous.get(path);
        assert.equal(r.status, 303, path);
        assert.match(r.headers.get("location") ?? "", /^\/admin\/login/);
        const e = await editor.get(path);
        assert.equal(e.status, 403, path);
        assert.ok(!e.text.includes("时效测试甲"));
      }
      const other = await jtjChief.get("/admin/disclosure/lag");
      assert.equal(other.status, 200);
      assert.ok(!other.text.includes("时效测试"), "another department's report leaves rsj out");
      const otherCsv = await (await jtjChief.request("/admin/disclosure/lag/art26.csv")).text();
      assert.ok(!otherCsv.includes("时效测试"));
      const all = await root.get("/admin/disclosure/lag");
      assert.ok(all.text.includes("时效测试甲"));
      // the catalogue's settings and organisation codes belong to the platform administrator
      for (const path of ["/admin/disclosure/settings", "/admin/disclosure/orgs"]) {
        assert.equal((await chief.get(path)).status, 403, path);
        assert.equal((await editor.get(path)).status, 403, path);
        assert.equal((await root.get(path)).status, 200, path);
      }
      assert.ok(
        !(await chief.get("/admin/disclosure/lag")).text.includes('href="/admin/disclosure/settings"'),
      );
    });

    it("checks an organisation code before it is used for 索引号", async () => {
      const form = "/admin/disclosure/orgs";
      const before = await p.ctx.db
        .selectFrom("departments")
        .select(["id", "org_code"])
        .orderBy("id")
        .execute();
      const wrongCheck = `${rsjCode.slice(0, 17)}${rsjCode.endsWith("0") ? "1" : "0"}`;
      for (const [code, message] of [
        [wrongCheck, /校验位不正确/],
        ["12345", /统一社会信用代码为 18 位/],
        [jtjCode, /已被其他部门使用/],
      ] as const) {
        const r = await root.submit(form, form, { [`org.${rsjDept}`]: code });
        assert.equal(r.status, 400, code);
        assert.match(r.text, message);
        assert.ok(r.text.includes(`value="${code}"`), "what was typed is kept");
      }
      assert.equal(
        (await chief.submit("/admin/disclosure/lag", form, { [`org.${rsjDept}`]: "" })).status,
        403,
      );
      // a department without a code cannot publish catalogue items until it has one
      const jtjDept = (
        await p.ctx.db
          .selectFrom("departments")
          .select("id")
          .where("ref", "=", "dept-jtj")
          .executeTakeFirstOrThrow()
      ).id;
      const id = await createOk(
        jtjEditor,
        jtjZcwj,
        policyFields("关于公交线路调整的通告", {
          "meta.issuer": "青禾市交通运输局",
          "meta.theme": "工业、交通",
        }),
      );
      await toFinalStep(id, jtjEditor, jtjChief);
      assert.equal((await root.submit(form, form, { [`org.${jtjDept}`]: "" })).status, 303);
      try {
        const refused = await decide(jtjChief, id);
        assert.equal(refused.status, 400);
        assert.match(refused.text, /尚未设置统一社会信用代码，无法生成索引号/);
        assert.equal((await latestVersion(p.ctx.db, id)).status, "in_review");
      } finally {
        assert.equal(
          (await root.submit(form, form, { [`org.${jtjDept}`]: jtjCode.toLowerCase() })).status,
          303,
        );
      }
      await finish(id, jtjChief);
      assert.match((await indexNoOf(id)) ?? "", new RegExp(`^${jtjCode}/${year}-\\d{5}$`));
      assert.deepEqual(
        await p.ctx.db.selectFrom("departments").select(["id", "org_code"]).orderBy("id").execute(),
        before,
      );
    });
  });

  /* ------------------------------------------------------------------ 公开属性 */

  describe("公开属性", () => {
    it("不予公开 needs a reason, and such a document is never published", async () => {
      const before = await databaseSnapshot(p.ctx.db);
      const fields = policyFields("关于内部人事调整的请示", { "meta.disclosure": "不予公开" });
      const missing = await create(editor, rsjZcwj, fields);
      assert.equal(missing.status, 400);
      assert.match(missing.text, /请填写不予公开理由/);
      assert.match(missing.text, /value="关于内部人事调整的请示"/);
      assert.deepEqual(await databaseSnapshot(p.ctx.db), before, "nothing saved");
      const id = await createOk(editor, rsjZcwj, {
        ...fields,
        "meta.disclosure_reason": "属于内部人事管理信息（《政府信息公开条例》第十六条第一款）",
      });
      const refused = await submit(editor, id);
      assert.equal(refused.status, 400);
      assert.match(refused.text, /公开属性为“不予公开”的信息不能在网站发布/);
      assert.equal((await latestVersion(p.ctx.db, id)).status, "draft");
      // nor can a published document be turned into one and stay up
      const live = await createOk(editor, rsjZcwj, policyFields("关于机关后勤管理的通知"));
      await publish(live);
      assert.equal(
        (
          await edit(editor, live, {
            "meta.disclosure": "不予公开",
            "meta.disclosure_reason": "属于内部事务信息",
          })
        ).status,
        303,
      );
      assert.match((await submit(editor, live)).text, /已发布的信息如需下线，请撤稿/);
      for (const target of [id]) {
        assert.equal((await visitor().get(rsjPage(target))).status, 404);
        assert.equal(await indexNoOf(target), null);
      }
      const lib = await visitor().get(`/zcwjk/?q=${encodeURIComponent("内部人事调整")}`);
      assert.equal(totalOf(lib.text), 0);
    });

    it("依申请公开 shows the catalogue entry, not the text or its files", async () => {
      const id = await createOk(
        editor,
        rsjZcwj,
        policyFields("关于劳动保障监察案件办理情况的报告", {
          "meta.disclosure": "依申请公开",
          bodyHtml: "<p>案件明细：甲公司欠薪案。</p>",
        }),
        { files: [{ name: "mingxi.png", data: png(), type: "image/png" }] },
      );
      await publish(id);
      const page = await visitor().get(rsjPage(id));
      assert.equal(page.status, 200);
      assert.equal(fact(page.text, "公开属性"), "依申请公开");
      assert.match(fact(page.text, "索引号") ?? "", INDEX_NO);
      assert.match(page.text, /本信息属于依申请公开的政府信息/);
      assert.ok(!page.text.includes("甲公司欠薪案"));
      assert.ok(!page.text.includes("mingxi.png"));
      const attachment = await p.ctx.db
        .selectFrom("attachments")
        .select("id")
        .where("document_id", "=", id)
        .executeTakeFirstOrThrow();
      assert.equal((await visitor().get(`/files/${attachment.id}/mingxi.png`)).status, 404);
      const lib = await visitor().get(`/zcwjk/?q=${encodeURIComponent("劳动保障监察案件办理情况")}`);
      assert.deepEqual(
        libraryRows(lib.text).map((r) => r.id),
        [id],
      );
    });
  });

  /* ------------------------------------------------------------------ accessibility */

  describe("in Chromium", () => {
    let browser: Browser;
    before(async () => {
      browser = await launchBrowser();
    });
    after(() => browser?.close());

    it("the filtered library, a 废止 policy and interpretations in each form have no WCAG 2.1 A/AA violations", async () => {
      const repealed = corpus.policies.find((x) => x.validity === "废止" && x.replaced_by);
      assert.ok(repealed);
      const jd = (title: string) =>
        p.ctx.db
          .selectFrom("documents as d")
          .innerJoin("document_versions as v", "v.id", "d.live_version_id")
          .select("d.id")
          .where("v.title", "=", title)
          .executeTakeFirstOrThrow()
          .then((r) => rsjPage(r.id));
      const paths = [
        `/zcwjk/?${new URLSearchParams({ theme: "劳动、人事、监察", validity: "有效", year: "2025", sort: "written-asc" })}`,
        `/sites/rsj/zcwjk/?${new URLSearchParams({ validity: "失效" })}`,
        `/art/${await docIdOf(repealed.id)}.html`,
        `/art/${await docIdOf(corpus.interpretations[0]?.id ?? "")}.html`,
        await jd("一图读懂技能提升补贴"),
        await jd("技能提升补贴视频解读"),
        await jd("技能提升补贴问答"),
      ];
      // axe is injected as a script, which the strict CSP would refuse
      const context = await browser.newContext({ locale: "zh-CN", bypassCSP: true });
      const page = await context.newPage();
      try {
        for (const path of paths) {
          const response = await page.goto(`${p.baseUrl}${path}`);
          assert.equal(response?.status(), 200, path);
          await assertAccessible(page, path);
        }
        // at 360 px the library's table scrolls in its own box instead of widening the page
        await page.setViewportSize({ width: 360, height: 740 });
        await page.goto(`${p.baseUrl}${paths[0]}`);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(overflow <= 0, `page is ${overflow}px wider than the screen`);
      } finally {
        await context.close();
      }
    });

    it("the catalogue's admin pages, with a refused form, have no violations either", async () => {
      const context = await browser.newContext({ locale: "zh-CN", baseURL: p.baseUrl, bypassCSP: true });
      const page = await context.newPage();
      try {
        await page.goto("/admin/login");
        await page.getByLabel("用户名").fill(rootName);
        await page.getByLabel("密码").fill(TEST_PASSWORD);
        await Promise.all([page.waitForURL("**/admin"), page.getByRole("button", { name: "登录" }).click()]);
        for (const path of [
          "/admin/disclosure/lag",
          "/admin/disclosure/settings",
          "/admin/disclosure/orgs",
        ]) {
          const response = await page.goto(path);
          assert.equal(response?.status(), 200, path);
          await assertAccessible(page, path);
        }
        await page.goto("/admin/disclosure/settings");
        await page.getByLabel("解读发布时限（工作日）").fill("99");
        await Promise.all([page.waitForLoadState(), page.getByRole("button", { name: "保存" }).click()]);
        assert.match((await page.textContent("main")) ?? "", /解读发布时限为 0—30 之间的整数/);
        await assertAccessible(page, "/admin/disclosure/settings（出错）");
      } finally {
        await context.close();
      }
    });
  });
});
