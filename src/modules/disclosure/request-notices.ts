import { FEE_METHOD_LABELS, type FeeMethod } from "./fees.ts";
import { OUTCOMES, type Outcome } from "./request-schema.ts";

/**
 * The documents sent to an applicant, filled from templates. Text is escaped here: the result is
 * stored as HTML and shown as is.
 */
export interface NoticeContext {
  organ: string;
  organPhone: string;
  organAddress: string;
  number: string;
  applicantName: string;
  trackingNo: string;
  submittedOn: string;
  receivedOn: string | null;
  description: string;
  today: string;
}

const esc = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const cn = (day: string | null) =>
  day ? `${day.slice(0, 4)}年${Number(day.slice(5, 7))}月${Number(day.slice(8, 10))}日` : "";

function frame(c: NoticeContext, title: string, paragraphs: string[]): { title: string; body: string } {
  const body = [
    `<p class="notice-number">${esc(c.number)}</p>`,
    `<p>${esc(c.applicantName)}：</p>`,
    `<p>本机关于${cn(c.receivedOn ?? c.submittedOn)}收到您（单位）提出的政府信息公开申请（申请编号：${esc(c.trackingNo)}），申请获取“${esc(c.description.slice(0, 200))}”的政府信息。</p>`,
    ...paragraphs.map((p) => `<p>${p}</p>`),
    `<p>联系电话：${esc(c.organPhone)}　联系地址：${esc(c.organAddress)}</p>`,
    `<p class="notice-signature">${esc(c.organ)}<br>${cn(c.today)}</p>`,
  ].join("\n");
  return { title, body };
}

const REMEDY =
  "如对本答复不服，可以自收到本告知书之日起60日内依法申请行政复议，或者自收到本告知书之日起6个月内依法向人民法院提起行政诉讼。";

export function correctionNotice(c: NoticeContext, items: string, dueOn: string) {
  return frame(c, "补正申请通知书", [
    `经审查，您的申请内容不够明确。根据《中华人民共和国政府信息公开条例》第三十条的规定，请您于${cn(dueOn)}前对以下事项作出补正：`,
    esc(items),
    "本机关收到补正后的申请之日起重新计算答复期限。无正当理由逾期不补正的，视为放弃申请，本机关不再处理该政府信息公开申请。",
  ]);
}

export function extensionNotice(c: NoticeContext, days: number, dueOn: string, reason: string) {
  return frame(c, "延期答复告知书", [
    `因${esc(reason)}，不能在规定期限内作出答复。根据《中华人民共和国政府信息公开条例》第三十三条第二款的规定，经本机关政府信息公开工作机构负责人同意，答复期限延长${days}个工作日，将于${cn(dueOn)}前作出答复。`,
  ]);
}

export function consultationNotice(c: NoticeContext, dueOn: string) {
  return frame(c, "征求第三方意见告知书", [
    `您申请公开的政府信息可能涉及第三方合法权益。根据《中华人民共和国政府信息公开条例》第三十二条的规定，本机关已书面征求第三方意见，第三方应于${cn(dueOn)}前提出意见。征求第三方意见所需时间不计算在答复期限内。`,
  ]);
}

export function feeNotice(c: NoticeContext, method: FeeMethod, amount: number, basis: string, dueOn: string) {
  return frame(c, "信息处理费缴费通知书", [
    `您申请公开政府信息的数量、频次明显超过合理范围。根据《政府信息公开信息处理费管理办法》（国办函〔2020〕109号），本机关决定${FEE_METHOD_LABELS[method]}信息处理费：${esc(basis)}，应缴金额人民币${amount.toFixed(2)}元。`,
    `请您自收到本通知之日起20个工作日内（${cn(dueOn)}前）缴纳。逾期未缴纳的，视为放弃申请，本机关不再处理该政府信息公开申请。`,
  ]);
}

export function answerNotice(c: NoticeContext, outcome: Outcome, reason: string) {
  const o = OUTCOMES[outcome];
  const why = reason ? esc(reason) : "";
  const bodies: Record<string, string[]> = {
    已主动公开政府信息告知书: [
      `您申请获取的政府信息已经主动公开，根据《中华人民共和国政府信息公开条例》第三十六条第（一）项的规定，现告知您获取该政府信息的方式和途径：${why}`,
    ],
    政府信息公开告知书: [
      `经审查，您申请获取的政府信息属于公开范围。根据《中华人民共和国政府信息公开条例》第三十六条第（二）项的规定，本机关向您提供该政府信息。${why}`,
    ],
    政府信息部分公开告知书: [
      `经审查，您申请获取的政府信息中部分内容可以公开。根据《中华人民共和国政府信息公开条例》第三十七条的规定，本机关向您提供可以公开的内容；对不予公开的内容说明理由如下：${why}`,
    ],
    政府信息不予公开告知书: [
      `经审查，您申请获取的政府信息${esc(o.label)}，根据《中华人民共和国政府信息公开条例》第三十六条第（三）项的规定，不予公开。理由：${why}`,
    ],
    政府信息不存在告知书: [
      `经检索查找，本机关未制作、获取您申请的政府信息。根据《中华人民共和国政府信息公开条例》第三十六条第（四）项的规定，告知您该政府信息不存在。${why}`,
    ],
    非本机关政府信息告知书: [
      `经审查，您申请获取的政府信息不属于本机关负责公开。根据《中华人民共和国政府信息公开条例》第三十六条第（五）项的规定，告知您负责公开该政府信息的机关及其联系方式：${why}`,
    ],
    政府信息无法提供告知书: [
      `经审查，您申请获取的政府信息${esc(o.label)}，根据《中华人民共和国政府信息公开条例》第三十六条、第三十八条的规定，本机关无法提供。${why}`,
    ],
    重复申请告知书: [
      `您的申请与此前已答复的申请内容相同。根据《中华人民共和国政府信息公开条例》第三十六条第（六）项的规定，本机关不予重复处理。${why}`,
    ],
    不予处理告知书: [
      `经审查，您的申请${esc(o.label)}，根据《中华人民共和国政府信息公开条例》第三十五条、第三十九条等规定，本机关不作为政府信息公开申请处理。${why}`,
    ],
    政府信息公开申请答复告知书: [why || "本机关已办理您的申请，答复如上。"],
  };
  return frame(c, o.notice, [...(bodies[o.notice] ?? [why]), REMEDY]);
}
