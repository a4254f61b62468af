import { readFile } from "node:fs/promises";
import path from "node:path";
import type { Transaction } from "kysely";
import { WorkingCalendar } from "../core/calendar.ts";
import type { FieldCipher } from "../core/crypto.ts";
import type { Database } from "../core/db/tables.ts";
import { codeHash, randomCode } from "../core/query-code.ts";
import { recordEvent } from "../core/workflow.ts";
import type { LetterType } from "../modules/interaction/schema.ts";
import { letterMachine } from "../modules/interaction/service.ts";

type Trx = Transaction<Database>;

/**
 * 政民互动 of the demo city: the 60 letters of demo/letters.json (with their corpus ids as ref) and
 * the words each department's letters use, which the routing suggestion weighs. Letters with a 示范答复
 * arrive answered, closed and published; the others are open at the department that should answer
 * them, so the 督办 queue shows them with their real dates. The corpus gives no reply dates or
 * writers' contacts: a reply is dated at the default 办理时限 (3 working days after the letter) and
 * the contact is left empty, both stated in the letter's history.
 */
export const DEMO_ROUTING_TERMS: Record<string, string> = {
  "dept-zfb": "市长信箱 12345 督查 督办 政务公开 市政府 公文",
  "dept-rsj":
    "社保 社会保险 养老保险 失业 失业金 工伤 就业 创业 工资 欠薪 拖欠工资 劳动合同 劳动仲裁 劳动监察 人才 职称 技能培训 培训补贴 退休 养老金 缴费基数 断缴 补缴 社保卡 招聘 公务员 事业单位 灵活就业",
  "dept-ybj":
    "医保 医疗保险 报销 门特 门诊慢特病 异地就医 医保卡 定点药店 药店 药品 集采 医保目录 参保 居民医保 职工医保 大病保险",
  "dept-gaj":
    "户口 户籍 落户 迁户 身份证 居住证 出入境 护照 港澳通行证 派出所 报警 治安 打架 斗殴 诈骗 盗窃 交警 驾驶证 违章 飙车 炸街 噪音扰民 名字 更名 改名 姓名",
  "dept-scjgj":
    "营业执照 个体户 个体工商户 企业登记 注册公司 食品安全 食品经营许可 假冒 假货 伪劣 质量 消费者 消费维权 退款 商家 计量 加油站 缺斤短两 价格 物价 电梯 特种设备 广告 网购 虚假宣传 12315 商标",
  "dept-jyj":
    "学校 入学 招生 学位 幼儿园 托育 中小学 义务教育 中考 高考 教师 老师 学生 课后服务 校服 教辅 培训机构 校外培训 学费 学区 转学",
  "dept-zjj":
    "住房 住建 物业 物业费 业委会 小区 商品房 开发商 房屋质量 墙面开裂 漏水 保障房 公租房 廉租房 保障性住房 租房 房屋租赁 中介 二手房 老旧小区 旧改 加装电梯 停车位 车位 建筑施工 工地 垃圾分类 燃气 城管 市容",
  "dept-czj": "财政 预算 决算 政府采购 采购 付款 专项资金 补贴资金 国库 会计 票据 非税",
  "dept-mzj":
    "低保 最低生活保障 特困 救助 临时救助 养老服务 养老院 老年食堂 独居老人 孤儿 儿童福利 残疾人补贴 婚姻登记 结婚证 离婚 殡葬 墓地 社区 居委会 村委会 社会组织 地名 高龄津贴",
  "dept-wjw":
    "医院 卫生 看病 挂号 医生 护士 疫苗 接种 出生医学证明 生育 计划生育 社区医院 卫生院 急救 120 体检 传染病 健康 母婴 妇幼",
  "dept-sthjj":
    "环保 生态环境 污染 油烟 排污 污水 废气 异味 空气 噪音 夜间施工 噪声 水质 环评 垃圾焚烧 黑臭 辐射",
  "dept-zrzyj":
    "不动产 房产证 不动产登记 产权 土地 宅基地 规划 用地 绿地 国土 测绘 自然资源 林地 矿产 建房审批 规划许可",
  "dept-gjj": "公积金 住房公积金 公积金贷款 提取 公积金提取 缴存 公基金 商转公",
  "dept-jtj":
    "公交 公交车 出租车 网约车 交通 道路 公路 客运 驾校 老年卡 公交卡 地铁 线路 站点 停运 绕路 运输",
  "dept-swj": "税 个税 个人所得税 汇算 退税 发票 红冲 纳税 税务 增值税 契税 社保费征收 减税 税款 开票",
  "dept-zsj":
    "政务服务 政务大厅 窗口 办事大厅 禾易办 一网通办 政务服务网 数据 电子证照 一件事 帮办 代办 办事效率 工作人员态度",
  "dept-cl": "残疾人 残疾人证 残联 无障碍 盲人 聋人 轮椅 康复 残疾",
};

interface CorpusLetter {
  id: string;
  type: LetterType;
  channel: "市长信箱" | "咨询投诉";
  submitted_date: string;
  title: string;
  body: string;
  expected_department: string;
  model_reply: { department: string; body: string } | null;
}

const DEMO_DIR = path.resolve(import.meta.dirname, "../../demo");

export async function importInteractionDemo(
  trx: Trx,
  cipher: FieldCipher,
  portalSiteId: number,
  departmentSites: Map<string, number>,
): Promise<void> {
  const departments = await trx.selectFrom("departments").select(["id", "ref"]).execute();
  for (const d of departments) {
    const terms = d.ref ? DEMO_ROUTING_TERMS[d.ref] : undefined;
    if (terms) await trx.insertInto("letter_routing_terms").values({ department_id: d.id, terms }).execute();
  }
  await linkColumns(trx, departmentSites);
  const calendar = new WorkingCalendar(
    (await trx.selectFrom("calendar_days").select(["day", "kind"]).execute()).map((r) => [r.day, r.kind]),
  );
  const { letters } = JSON.parse(await readFile(path.join(DEMO_DIR, "letters.json"), "utf8")) as {
    letters: CorpusLetter[];
  };
  for (const l of letters) {
    const handling = departmentSites.get(l.model_reply?.department ?? l.expected_department);
    if (!handling) throw new Error(`来信 ${l.id} 的承办部门不存在`);
    const mailbox = l.channel === "市长信箱" ? portalSiteId : handling;
    const submittedAt = new Date(`${l.submitted_date}T10:00:00+08:00`);
    const acceptedOn = calendar.nextWorkingDay(l.submitted_date);
    const replyDue = calendar.addWorkingDays(acceptedOn, 7);
    const repliedOn = calendar.addWorkingDays(acceptedOn, 3);
    const repliedAt = new Date(`${repliedOn}T16:00:00+08:00`);
    const trackingNo = `XJ${l.submitted_date.replace(/-/g, "")}${l.id.slice(4).padStart(5, "0")}`;
    const answered = l.model_reply !== null;
    const row = await trx
      .insertInto("letters")
      .values({
        ref: l.id,
        tracking_no: trackingNo,
        query_code_hash: codeHash(trackingNo, randomCode(8)),
        mailbox_site_id: mailbox,
        handling_site_id: handling,
        type: l.type,
        title: l.title,
        body: l.body,
        contact_name_enc: cipher.encrypt(""),
        contact_name_masked: "",
        phone_enc: cipher.encrypt(""),
        phone_masked: "",
        publish_consent: answered,
        state: answered ? "closed" : "assigned",
        submitted_at: submittedAt,
        accept_due_at: new Date(`${acceptedOn}T10:00:00+08:00`),
        accepted_at: new Date(`${acceptedOn}T09:30:00+08:00`),
        clock_started_on: acceptedOn,
        clock_limit_days: 7,
        handle_due_on: calendar.addWorkingDays(acceptedOn, 3),
        reply_due_on: replyDue,
        first_reply_due_on: replyDue,
        first_replied_at: answered ? repliedAt : null,
        closed_at: answered ? repliedAt : null,
        published_at: answered ? repliedAt : null,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    if (l.model_reply)
      await trx
        .insertInto("letter_replies")
        .values({
          letter_id: row.id,
          round: 1,
          site_id: handling,
          body: l.model_reply.body,
          status: "sent",
          created_at: repliedAt,
          sent_at: repliedAt,
        })
        .execute();
    await recordEvent(trx, letterMachine, {
      subjectId: row.id,
      action: "import",
      from: null,
      to: answered ? "closed" : "assigned",
      actorId: null,
      comment: answered
        ? `样例来信 ${l.id}，已答复并公开（答复日期按默认办理时限推定，来信人联系方式未提供）`
        : `样例来信 ${l.id}，已转承办单位办理（来信人联系方式未提供）`,
    });
  }
}

/** 市长信箱、咨询投诉、民意征集、调查问卷、在线访谈 on the portal and 互动交流 on department sites open the letters pages. */
async function linkColumns(trx: Trx, departmentSites: Map<string, number>): Promise<void> {
  const portalLinks: Record<string, string> = {
    "col-hdjl-szxx": "/xj/",
    "col-hdjl-zxts": "/xj/?type=咨询",
    "col-hdjl-myzj": "/myzj/",
    "col-hdjl-dcwj": "/dcwj/",
    "col-hdjl-zxft": "/zxft/",
  };
  for (const [ref, url] of Object.entries(portalLinks))
    await trx
      .updateTable("columns")
      .set({ type: "link", link_url: url, review_steps: [] })
      .where("ref", "=", ref)
      .execute();
  for (const siteId of departmentSites.values()) {
    const site = await trx
      .selectFrom("sites")
      .select("code")
      .where("id", "=", siteId)
      .executeTakeFirstOrThrow();
    await trx
      .updateTable("columns")
      .set({ link_url: `/sites/${site.code}/xj/` })
      .where("site_id", "=", siteId)
      .where("slug", "=", "hdjl")
      .execute();
  }
}
