import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createDocument, decide, submitForReview, withdraw } from "../src/modules/content/service.ts";
import { loadActor } from "../src/modules/identity/service.ts";
import { type IndexedRecord, indexRecord, registerSearchSource } from "../src/modules/search/registry.ts";
import { compoundParts, indexTokens, queryTokens, toPinyin } from "../src/modules/search/segment.ts";
import {
  columnId,
  siteId,
  staffClient,
  staffWith,
  startTestPlatform,
  type TestPlatform,
} from "./support/platform.ts";

interface Hit {
  ref: string | null;
  type: string;
  title: string;
  url: string;
  snippet: string;
}
interface Result {
  total: number;
  corrected?: string;
  hits: Hit[];
}

describe("Chinese segmentation with the government dictionary", () => {
  it("keeps government terms whole and splits compounds into their words", () => {
    assert.deepEqual(queryTokens("一网通办和跨省通办"), ["一网通办", "和", "跨省通办"]);
    assert.ok(queryTokens("新生儿上户口").includes("上户口"));
    assert.ok(queryTokens("门特报销").includes("门特"));
    // the index also holds the parts of a compound, so a search for a part finds the whole
    const tokens = indexTokens("住房公积金提取管理办法");
    for (const word of ["住房公积金", "公积金", "提取"]) assert.ok(tokens.includes(word), word);
    assert.deepEqual(compoundParts("公积金贷款额度"), ["公积金", "贷款额度"]);
    assert.deepEqual(compoundParts("个税汇算"), ["个税", "汇算"]);
    assert.deepEqual(compoundParts("公积金"), []);
    assert.equal(toPinyin("公积金"), "gongjijin");
  });
});

describe("站内搜索 over HTTP", () => {
  let p: TestPlatform;
  const search = async (query: string): Promise<Result> => {
    const r = await p.client().get(`/api/search?${query}`);
    assert.equal(r.status, 200, r.text);
    return JSON.parse(r.text) as Result;
  };
  const refs = (r: Result) => r.hits.map((h) => h.ref);
  const q = (text: string, extra = "") => search(`q=${encodeURIComponent(text)}${extra}`);

  before(async () => {
    p = await startTestPlatform("demo");
  });
  after(() => p.close());

  it("answers the API with corpus refs, types, URLs and snippets", async () => {
    const r = await q("社保缴费基数");
    assert.ok(r.total >= 5);
    assert.ok(r.hits.length <= 10);
    assert.ok(refs(r).includes("pol-003"), refs(r).join(","));
    const hit = r.hits[0];
    assert.ok(hit?.ref && hit.title && hit.url.startsWith("/") && hit.snippet);
    assert.ok(["policy", "interpretation", "faq", "service", "news", "letter"].includes(hit.type));
    const three = await q("社保缴费基数", "&limit=3");
    assert.equal(three.hits.length, 3);
    assert.deepEqual(await q(""), { total: 0, hits: [] });
  });

  it("expands synonyms both ways (旧改 = 老旧小区改造, 上户口 = 落户)", async () => {
    const old = await q("旧改");
    assert.ok(refs(old).includes("pol-035"), refs(old).join(","));
    assert.ok(old.hits.some((h) => h.title.includes("老旧小区改造")));
    const hukou = await q("上户口");
    assert.ok(hukou.hits.some((h) => h.title.includes("落户")));
  });

  it("falls back to the parts of a compound the index has never seen (公积金贷款额度)", async () => {
    const r = await q("公积金贷款额度");
    // faq-104 says 公积金贷款 … 额度 but never 公积金贷款额度
    assert.ok(refs(r).includes("faq-104"), refs(r).join(","));
    assert.ok(refs(r).includes("pol-019"), refs(r).join(","));
    const tax = await q("个税汇算");
    assert.ok(refs(tax).includes("pol-060"), refs(tax).join(","));
  });

  it("corrects typos and pinyin, and says so (您是不是要找)", async () => {
    const listed = await q("公基金租房提取");
    assert.equal(listed.corrected, "公积金租房提取");
    assert.ok(refs(listed).includes("faq-094"));
    // not in the correction list: found by sound
    const sound = await q("低报标准");
    assert.equal(sound.corrected, "低保标准");
    assert.ok(refs(sound).includes("pol-043"));
    const pinyin = await q("gongjijin");
    assert.equal(pinyin.corrected, "公积金");
    assert.ok(pinyin.total > 0);
    // a correct query is left alone
    assert.equal((await q("低保标准")).corrected, undefined);
    const page = await p.client().get(`/search?q=${encodeURIComponent("低报标准")}`);
    assert.match(page.text, /您是不是要找：<strong>低保标准<\/strong>/);
    assert.match(page.text, /exact=1/);
    const exact = await q("低报标准", "&exact=1");
    assert.equal(exact.corrected, undefined);
  });

  it("filters by type, site, validity and date", async () => {
    const policies = await q("公积金", "&type=policy&limit=50");
    assert.ok(policies.hits.length > 0 && policies.hits.every((h) => h.type === "policy"));
    const faqs = await q("公积金", "&type=faq");
    assert.ok(faqs.hits.every((h) => h.type === "faq"));
    // the 公积金中心 site holds its own documents and FAQs, not the 人社局's
    const gjj = await q("缴费基数", "&site=gjj&limit=50");
    const all = await q("缴费基数", "&limit=50");
    assert.ok(gjj.total < all.total);
    assert.ok(!refs(gjj).includes("pol-003"));
    assert.equal((await p.client().get("/api/search?q=x&site=nosuchsite")).status, 400);
    const lapsed = await p
      .client()
      .get(`/search?q=${encodeURIComponent("社保缴费基数")}&validity=${encodeURIComponent("失效")}`);
    assert.match(lapsed.text, /失效/);
    const currentOnly = await q("社保缴费基数", `&type=policy&validity=${encodeURIComponent("有效")}`);
    assert.ok(refs(currentOnly).includes("pol-003"));
    assert.ok(!refs(currentOnly).includes("pol-001"));
    const lapsedOnly = await q("社保缴费基数", `&type=policy&validity=${encodeURIComponent("失效")}`);
    assert.ok(refs(lapsedOnly).includes("pol-001") && !refs(lapsedOnly).includes("pol-003"));
    const none = await q("社保缴费基数", "&type=policy&from=2030-01-01");
    assert.equal(none.total, 0);
    const dated = await q("社保缴费基数", "&type=policy&from=2023-01-01&to=2030-12-31");
    assert.ok(dated.total > 0);
  });

  it("shows a results page with highlights, type counts, hot words and click tracking", async () => {
    const client = p.client();
    const page = await client.get(`/search?q=${encodeURIComponent("异地就医")}`);
    assert.equal(page.status, 200);
    assert.match(page.text, /<mark>异地就医<\/mark>/);
    assert.match(page.text, /找到 \d+ 条结果/);
    assert.match(page.text, /政策文件（\d+）/);
    assert.match(page.text, /热门搜索/);
    const go = /href="(\/search\/go\/\d+\/\d+\?pos=1)"/.exec(page.text)?.[1];
    assert.ok(go, "results link through the click counter");
    const click = await client.get(go);
    assert.equal(click.status, 303);
    assert.ok(click.headers.get("location")?.startsWith("/"));
    assert.equal((await client.get("/search/go/1/999999")).status, 404);
    // a department site searches itself by default
    const dept = await client.get(`/sites/rsj/search?q=${encodeURIComponent("社保")}`);
    assert.match(dept.text, /<option value="rsj" selected>/);
    // the search box is in every page's header
    assert.match((await client.get("/")).text, /action="\/search"/);
    assert.match((await client.get("/sites/rsj/")).text, /action="\/sites\/rsj\/search"/);
    const nothing = await client.get(`/search?q=${encodeURIComponent("量子纠缠")}`);
    assert.match(nothing.text, /没有找到/);
    assert.match(nothing.text, /href="\/col\/szxx\/"/);
  });

  it("suggests completions from indexed words and pinyin", async () => {
    const r = JSON.parse(
      (await p.client().get(`/api/search/suggest?q=${encodeURIComponent("公积")}`)).text,
    ) as {
      suggestions: string[];
    };
    assert.ok(r.suggestions.includes("公积金"), r.suggestions.join(","));
    const py = JSON.parse((await p.client().get("/api/search/suggest?q=diba")).text) as {
      suggestions: string[];
    };
    assert.ok(py.suggestions.includes("低保"), py.suggestions.join(","));
  });

  it("never shows unpublished content; follows publish and withdraw", async () => {
    const rsj = await siteId(p.ctx, "rsj");
    const gzdt = await columnId(p.ctx, "rsj", "gzdt");
    const editor = await loadActor(
      p.ctx,
      (await staffWith(p.ctx, [{ role: "editor", siteId: rsj }], "ed")).id,
    );
    const boss = await loadActor(
      p.ctx,
      (await staffWith(p.ctx, [{ role: "site_admin", siteId: rsj }], "boss")).id,
    );
    assert.ok(editor && boss);
    const word = "蓝莓";
    const id = await createDocument(p.ctx, editor, {
      type: "news",
      columnId: gzdt,
      title: `市人社局${word}项目启动`,
      summary: "",
      bodyHtml: `<p>${word}面向高校毕业生。</p>`,
      metadata: { source: "市人社局" },
      attachmentIds: [],
    });
    assert.equal((await q(word)).total, 0, "a draft is not searchable");
    let version = await submitForReview(p.ctx, editor, id, null);
    assert.equal((await q(word)).total, 0, "a version in review is not searchable");
    while (version.status === "in_review") version = await decide(p.ctx, boss, version.id, "approve", "");
    assert.equal(version.status, "approved");
    const live = await q(word);
    assert.equal(live.total, 1);
    assert.equal(live.hits[0]?.url, `/sites/rsj/art/${id}.html`);
    assert.equal(live.hits[0]?.type, "news");
    await withdraw(p.ctx, boss, id, "发布有误");
    assert.equal((await q(word)).total, 0, "withdrawn content leaves the index");
  });

  it("lets administrators edit synonyms and hot words, and shows search analytics", async () => {
    const admin = await staffWith(p.ctx, [{ role: "site_admin" }], "searchadmin");
    const client = await staffClient(p, admin.username);
    assert.equal((await q("菠萝")).total, 0);
    const bad = await client.submit("/admin/search", "/admin/search/synonyms", { rule: "菠萝" });
    assert.equal(bad.status, 400);
    assert.match(bad.text, /请按/);
    assert.match(bad.text, /value="菠萝"/);
    const ok = await client.submit("/admin/search", "/admin/search/synonyms", { rule: "菠萝=禾易办" });
    assert.equal(ok.status, 303);
    assert.ok((await q("菠萝")).total > 0, "the new synonym is used at once");
    const hot = await client.submit("/admin/search", "/admin/search/hot-words", {
      word: "带押过户",
      position: "0",
    });
    assert.equal(hot.status, 303);
    const page = await p.client().get("/search");
    assert.match(page.text, /带押过户/);
    await p.client().get(`/search?q=${encodeURIComponent("量子纠缠")}`);
    const admin2 = await client.get("/admin/search");
    assert.equal(admin2.status, 200);
    assert.match(admin2.text, /无结果搜索词/);
    assert.match(admin2.text, /量子纠缠/);
    // an editor may not change the search settings
    const editor = await staffWith(p.ctx, [{ role: "editor", siteId: await siteId(p.ctx, "rsj") }], "ed2");
    assert.equal((await (await staffClient(p, editor.username)).get("/admin/search")).status, 403);
  });

  it("indexes another module's records after one registration, and shows 办事直达 for a named service", async () => {
    let published = true;
    const guide: IndexedRecord = {
      key: "7",
      ref: "svc-test",
      type: "service",
      title: "测试事项游艇泊位登记",
      body: "办理游艇泊位登记需要携带身份证和船舶检验证书。",
      url: "/bsfw/item/7",
      siteIds: [],
      department: "市公安局",
      publishedAt: new Date(),
      validity: null,
    };
    registerSearchSource({
      name: "test-services",
      list: async () => (published ? [guide] : []),
      load: async (_db, key) => (published && key === guide.key ? guide : undefined),
    });
    await indexRecord(p.ctx.db, "test-services", "7");
    const api = await q("游艇泊位登记");
    assert.equal(api.hits[0]?.ref, "svc-test");
    assert.equal(api.hits[0]?.type, "service");
    const page = await p.client().get(`/search?q=${encodeURIComponent("游艇泊位登记")}`);
    assert.match(page.text, /<aside class="direct-service" aria-label="办事直达">/);
    assert.match(page.text, /href="\/bsfw\/item\/7">测试事项游艇泊位登记/);
    // a query that does not name it gets no direct card
    const other = await p.client().get(`/search?q=${encodeURIComponent("船舶检验证书")}`);
    assert.doesNotMatch(other.text, /办事直达/);
    published = false;
    await indexRecord(p.ctx.db, "test-services", "7");
    assert.equal((await q("游艇泊位登记")).hits.filter((h) => h.ref === "svc-test").length, 0);
  });
});
