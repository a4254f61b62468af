import type { AppContext } from "../core/context.ts";
import { reportFigures } from "../modules/disclosure/annual-report.ts";
import { renderReportBody } from "../modules/disclosure/views/annual-report.tsx";

/** The organ a 政府信息公开 guide or 制度 is written for. */
export interface DisclosureOrgan {
  name: string;
  address: string;
  phone: string;
  /** The site's base path: "" for the portal, "/sites/rsj" for a department. */
  base: string;
  /** Where the public reads government information in person (the city's 市民中心). */
  readingRoom: string;
}

const OFFICE_HOURS = "工作日 9:00—12:00，13:30—17:30（法定节假日除外）";

/** 政府信息公开指南 with what 条例 Art 12 requires: 分类、编排体系、获取方式 and the office's particulars. */
export function disclosureGuideHtml(organ: DisclosureOrgan): string {
  const { name, address, phone, base, readingRoom } = organ;
  return [
    `<p>为便于公民、法人和其他组织获取${name}的政府信息，根据《中华人民共和国政府信息公开条例》，编制本指南。</p>`,
    "<h2>一、主动公开</h2>",
    "<h3>（一）公开范围与分类</h3>",
    `<p>本机关主动公开的政府信息按“机构职能、政策文件、政策解读、财政预决算”等类别编排，发布在本网站“政府信息公开 → 法定主动公开内容”栏目。每条信息标注索引号、发文机关、文号、成文日期、发布日期和有效性。</p>`,
    "<h3>（二）获取方式</h3>",
    `<p>可在本网站浏览，或在<a href="${base}/zcwjk/">政策文件库</a>中按年份、发文机关、主题和有效性查询；也可到政府信息查阅点查阅：${readingRoom}。</p>`,
    "<h3>（三）公开时限</h3>",
    "<p>属于主动公开范围的政府信息，自形成或者变更之日起20个工作日内予以公开。</p>",
    "<h2>二、依申请公开</h2>",
    `<p>公民、法人或者其他组织可以通过<a href="${base}/ysqgk/">在线申请</a>、信函或当面提交的方式向本机关申请获取政府信息。申请应包括申请人的姓名或者名称、身份证明、联系方式，所需政府信息的名称、文号或者便于查询的其他特征性描述，以及获取信息的方式。</p>`,
    "<p>本机关收到申请能够当场答复的当场答复；不能当场答复的，自收到申请之日起20个工作日内答复，需要延长的经负责人同意可延长不超过20个工作日。申请内容不明确的，在7个工作日内一次性告知补正。依申请提供政府信息不收取费用，但申请数量、频次明显超过合理范围的，按规定收取信息处理费。</p>",
    "<h2>三、工作机构</h2>",
    `<ul><li>机构名称：${name}政府信息公开工作机构</li><li>办公地址：${address}</li><li>办公时间：${OFFICE_HOURS}</li><li>联系电话：${phone}</li><li>互联网联系方式：<a href="${base}/ysqgk/">${base || "本网站"}/ysqgk/</a></li></ul>`,
    "<h2>四、监督和救济</h2>",
    "<p>公民、法人或者其他组织认为本机关在政府信息公开工作中侵犯其合法权益的，可以向上一级行政机关或者政府信息公开工作主管部门投诉、举报，也可以依法申请行政复议或者提起行政诉讼。</p>",
  ].join("");
}

/** 政府信息公开制度: the organ's working rules, as the disclosure column must carry them. */
export function disclosureRulesHtml(organ: DisclosureOrgan): string {
  return [
    `<p>为规范${organ.name}政府信息公开工作，制定本制度。</p>`,
    "<h2>一、发布审查</h2>",
    "<p>拟公开的政府信息由承办科室起草，按栏目审核流程逐级审核；涉及国家秘密、商业秘密和个人隐私的内容，发布前进行保密审查。</p>",
    "<h2>二、依申请公开办理</h2>",
    "<p>收到政府信息公开申请后当日登记，按《中华人民共和国政府信息公开条例》规定的期限和程序办理，答复书加盖本机关印章，办理过程全程留痕。</p>",
    "<h2>三、政策解读</h2>",
    "<p>行政规范性文件与解读材料同步组织、同步审签、同步部署，文件公开后3个工作日内发布解读。</p>",
    "<h2>四、年度报告</h2>",
    "<p>每年1月31日前，向本级政府信息公开工作主管部门提交并在本网站公布上一年度政府信息公开工作年度报告。</p>",
    "<h2>五、监督考核</h2>",
    "<p>政府信息公开工作纳入年度绩效考核，接受社会评议和上级主管部门检查。</p>",
  ].join("");
}

/** The demo city's 2025 annual reports, computed from its data, as the published body of each 年报 document. */
export async function demoAnnualReportBody(ctx: AppContext, siteId: number, year: number) {
  const figures = await reportFigures(ctx, siteId, year);
  figures.narrative = {
    overview: `${year}年，${figures.organ}按照《中华人民共和国政府信息公开条例》要求，在本网站公开政策文件和解读，依法办理政府信息公开申请。本报告中的统计数据由平台根据本机关公开的政府信息和依申请公开办理记录生成。`,
    problems: "政策解读形式较单一，图解和问答类解读偏少。下一步将丰富解读形式，提高解读的及时性。",
    other: "无。",
  };
  return { title: `${figures.organ}${year}年政府信息公开工作年度报告`, bodyHtml: renderReportBody(figures) };
}
