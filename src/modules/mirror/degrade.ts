/**
 * The mirror is read while the app or its database is down, so nothing can be submitted or
 * looked up: every form on a mirrored page (except the masthead search box and the 智能问答 widget,
 * whose pages explain themselves) is replaced by a notice saying so, in place, so the page around it
 * still reads — and pages without such forms stay byte-identical to the app's.
 */
const FORM = /<form\b([^>]*)>[\s\S]*?<\/form>/g;

const SEARCH_UNAVAILABLE =
  "站内搜索暂时无法使用：网站正在维护，目前只能浏览已发布的信息。请通过栏目导航或网站地图查找，或稍后再试。";
const SERVICE_UNAVAILABLE =
  "此项在线服务暂时无法使用：网站正在维护，目前只能浏览已发布的信息，无法提交、查询或办理。请稍后再试，或拨打 12345 政务服务便民热线咨询。";
const FILTER_UNAVAILABLE =
  "按条件查询暂时无法使用：网站正在维护，下方仍可浏览全部已发布的信息。请稍后再试，或拨打 12345 政务服务便民热线咨询。";

function noticeFor(attributes: string): string {
  const action = /\saction="([^"]*)"/.exec(attributes)?.[1] ?? "";
  const get = /\smethod="get"/i.test(attributes);
  if (/\/(search|assistant)$/.test(action)) return SEARCH_UNAVAILABLE;
  return get ? FILTER_UNAVAILABLE : SERVICE_UNAVAILABLE;
}

export interface Degraded {
  html: string;
  forms: number;
}

export function degradeForms(html: string): Degraded {
  let forms = 0;
  const out = html.replace(FORM, (whole, attributes: string) => {
    if (/\sclass="(masthead-search|ask-widget-form)"/.test(attributes)) return whole;
    forms += 1;
    return `<p class="notice-banner mirror-notice" role="note">${noticeFor(attributes)}</p>`;
  });
  return { html: out, forms };
}

/** The page a masthead search or a preference link lands on while only the mirror answers. */
export const UNAVAILABLE_TEXT = { search: SEARCH_UNAVAILABLE, service: SERVICE_UNAVAILABLE };
