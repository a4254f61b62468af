import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { siteId, staffClient, staffWith, startTestPlatform, type TestPlatform } from "./support/platform.ts";

const calc = (params: Record<string, string>) =>
  `/bsfw/zcjsq/?${new URLSearchParams({ ...params, run: "1" }).toString()}`;

describe("政务服务: 政策计算器 / 免申即享", () => {
  let p: TestPlatform;

  before(async () => {
    p = await startTestPlatform("demo");
  });
  after(() => p.close());

  it("matches a person's attributes to policies and shows the conditions that matched", async () => {
    const old = await p.client().get(calc({ dx: "个人", age: "82", hukou: "本市户籍" }));
    assert.equal(old.status, 200);
    assert.ok(old.text.includes("高龄津贴"));
    assert.ok(old.text.includes("免申即享"));
    assert.ok(old.text.includes("匹配依据：户籍为本市户籍；年龄≥80周岁"));
    assert.ok(old.text.includes("老年人免费乘坐公共交通"));
    assert.ok(!old.text.includes("老年人半价乘坐公共交通"));
    assert.ok(old.text.includes('href="/ref/pol-045"'));

    const sixty = await p.client().get(calc({ dx: "个人", age: "62", hukou: "其他" }));
    assert.ok(sixty.text.includes("老年人半价乘坐公共交通"));
    assert.ok(!sixty.text.includes("高龄津贴"), "the hukou condition fails");
    assert.ok(!sixty.text.includes("老年人免费乘坐公共交通"));

    const nothing = await p.client().get(calc({ dx: "个人" }));
    assert.ok(nothing.text.includes("匹配结果（0 项）"), "blank answers match nothing");

    const bad = await p.client().get(calc({ dx: "个人", age: "八十", hukou: "火星" }));
    assert.equal(bad.status, 400);
    assert.ok(bad.text.includes("年龄请填写 0—999 的整数"));
    assert.ok(bad.text.includes("请从列表中选择户籍"));
  });

  it("matches a business to 稳岗返还 by its size, with 大型 and 中小微 told apart", async () => {
    const small = await p.client().get(
      calc({
        dx: "法人",
        size: "小型",
        insuredMonths: "12",
        layoffRateOk: "是",
        entityType: "有限责任公司",
      }),
    );
    assert.ok(small.text.includes("失业保险稳岗返还（中小微企业）"));
    assert.ok(!small.text.includes("失业保险稳岗返还（大型企业）"));
    assert.ok(!small.text.includes("个体工商户吸纳就业补贴"));
    const short = await p
      .client()
      .get(calc({ dx: "法人", size: "小型", insuredMonths: "6", layoffRateOk: "是" }));
    assert.ok(!short.text.includes("稳岗返还"), "fewer than 12 months of contributions");
  });

  it("lets department staff maintain the rules as data, within their department", async () => {
    const rsj = await siteId(p.ctx, "rsj");
    const admin = await staffWith(p.ctx, [{ role: "site_admin", siteId: rsj }], "rsjrules");
    const client = await staffClient(p, admin.username);
    const list = await client.get("/admin/services/rules");
    assert.ok(list.text.includes("个人创业担保贷款"));
    assert.ok(!list.text.includes("高龄津贴"), "another department's rule is not listed");
    const mzjRule = await p.ctx.db
      .selectFrom("policy_rules")
      .select("id")
      .where("name", "=", "高龄津贴")
      .executeTakeFirstOrThrow();
    assert.equal((await client.get(`/admin/services/rules/${mzjRule.id}`)).status, 403);

    const fields = {
      name: "高校毕业生就业见习补贴",
      audience: "个人",
      siteId: String(rsj),
      benefit: "见习期间按月发放见习补贴",
      conditions: "identity = 高校毕业生（毕业5年内）\nsize = 小型",
      policyRef: "pol-010",
      itemCode: "",
      automatic: "",
      active: "1",
    };
    const bad = await client.submit("/admin/services/rules/new", "/admin/services/rules/new", fields);
    assert.equal(bad.status, 400);
    assert.ok(bad.text.includes("“企业规模”不适用于个人"));
    const ok = await client.submit("/admin/services/rules/new", "/admin/services/rules/new", {
      ...fields,
      conditions: "identity = 高校毕业生（毕业5年内）\nage <= 35",
    });
    assert.equal(ok.status, 303);
    const graduate = await p
      .client()
      .get(calc({ dx: "个人", identity: "高校毕业生（毕业5年内）", age: "24" }));
    assert.ok(graduate.text.includes("高校毕业生就业见习补贴"));
    assert.ok(graduate.text.includes("个人创业担保贷款"));
  });
});
