/**
 * A corpus of XSS payloads built from vector families rather than copied from a list: every
 * payload that manages to run calls `__xssHit(n)` (or opens a dialog), so a browser hook can tell
 * exactly which one got through. Families: script tags, event handlers on many elements,
 * javascript:/data: URLs, SVG and MathML, attribute breakouts with each quote style,
 * template/style/iframe/object/embed, encoded and unicode variants, polyglots, CSS expressions
 * and markdown-like links.
 */
export interface Payload {
  id: number;
  family: string;
  text: string;
}

const ELEMENTS_WITH_HANDLERS: [string, string, string][] = [
  // [opening tag without ">", handler attribute, closing tag]
  ["<img src=x", "onerror", ""],
  ["<img src=/nonexistent.png alt=x", "onerror", ""],
  ["<image src=x", "onerror", ""],
  ["<svg", "onload", "</svg>"],
  ["<body", "onload", ""],
  ["<body", "onpageshow", ""],
  ["<input autofocus", "onfocus", ""],
  ["<input type=image src=x", "onerror", ""],
  ["<select autofocus", "onfocus", "</select>"],
  ["<textarea autofocus", "onfocus", "</textarea>"],
  ["<keygen autofocus", "onfocus", ""],
  ["<details open", "ontoggle", "</details>"],
  ["<video src=x", "onerror", "</video>"],
  ["<video><source src=x", "onerror", "</video>"],
  ["<audio src=x", "onerror", "</audio>"],
  ["<iframe", "onload", "</iframe>"],
  ["<object data=x", "onerror", "</object>"],
  ["<marquee", "onstart", "</marquee>"],
  ["<div tabindex=1 autofocus", "onfocusin", "</div>"],
  ["<a href=# autofocus", "onfocus", "</a>"],
  ["<button autofocus", "onfocus", "</button>"],
  ["<form><button formaction=x autofocus", "onfocus", "</form>"],
  ["<style", "onload", "</style>"],
  ["<link rel=stylesheet href=x", "onerror", ""],
  ["<script src=x", "onerror", "</script>"],
  ["<embed src=x", "onload", ""],
  ["<frameset", "onload", "</frameset>"],
  ["<table background=x", "onerror", "</table>"],
  ["<div", "onpointerover", "悬停</div>"],
  ["<span", "onmouseover", "悬停</span>"],
  ["<p", "onanimationstart", "</p>"],
  ["<x contenteditable autofocus", "onfocus", "</x>"],
];

/** Ways of writing the space before an attribute that parsers accept. */
const SEPARATORS = [" ", "/", "\t", "\n", " /"];
/** Ways of quoting the handler. */
const HANDLER_QUOTES = [(js: string) => js, (js: string) => `"${js}"`, (js: string) => `'${js}'`];

export function xssPayloads(): Payload[] {
  const out: Payload[] = [];
  const add = (family: string, make: (n: number) => string) => {
    const id = out.length + 1;
    out.push({ id, family, text: make(id) });
  };
  const hit = (n: number) => `__xssHit(${n})`;

  // script tags, plain and disguised
  add("script", (n) => `<script>${hit(n)}</script>`);
  add("script", (n) => `<ScRiPt>${hit(n)}</sCrIpT>`);
  add("script", (n) => `<script type=text/javascript>${hit(n)}</script>`);
  add("script", (n) => `<script/x>${hit(n)}</script>`);
  add("script", (n) => `<script\n>${hit(n)}</script\n>`);
  add("script", (n) => `<script src="data:text/javascript,${hit(n)}"></script>`);
  add("script", (n) => `<script>/*</script><script>*/${hit(n)}</script>`);
  add("script", (n) => `<scr<script>ipt>${hit(n)}</scr</script>ipt>`);
  for (const closer of [
    "</title>",
    "</textarea>",
    "</style>",
    "</noscript>",
    "-->",
    "]]>",
    "</script>",
    "</option>",
  ])
    add("script-breakout", (n) => `${closer}<script>${hit(n)}</script>`);

  // event handlers on many elements, with each separator and quote style
  let variant = 0;
  for (const [open, handler, close] of ELEMENTS_WITH_HANDLERS) {
    for (const sep of SEPARATORS) {
      const quote = HANDLER_QUOTES[variant % HANDLER_QUOTES.length] ?? HANDLER_QUOTES[0];
      variant += 1;
      add("event-handler", (n) => `${open}${sep}${handler}=${quote?.(hit(n))}>${close}`);
    }
    add("event-handler-case", (n) => `${open} ${handler.toUpperCase()}=${hit(n)}>${close}`);
  }

  // javascript:, vbscript: and data: URLs in every attribute that loads or navigates
  const schemes = [
    (js: string) => `javascript:${js}`,
    (js: string) => `JaVaScRiPt:${js}`,
    (js: string) => ` javascript:${js}`,
    (js: string) => `java\tscript:${js}`,
    (js: string) => `java&#x09;script:${js}`,
    (js: string) => `&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;${js}`,
    (js: string) => `javascript&colon;${js}`,
    (js: string) => `data:text/html,<script>parent.${js}</script>`,
    (js: string) =>
      `data:text/html;base64,${Buffer.from(`<script>parent.${js}</script>`).toString("base64")}`,
  ];
  const urlHolders = [
    (u: string) => `<a href="${u}">点击查看</a>`,
    (u: string) => `<a href='${u}' autofocus>办事指南</a>`,
    (u: string) => `<iframe src="${u}"></iframe>`,
    (u: string) => `<form action="${u}"><button>提交</button></form>`,
    (u: string) => `<button formaction="${u}">提交</button>`,
    (u: string) => `<object data="${u}"></object>`,
    (u: string) => `<embed src="${u}">`,
    (u: string) => `<img src="${u}">`,
    (u: string) => `<area href="${u}">`,
    (u: string) => `<base href="${u}//">`,
    (u: string) => `<meta http-equiv="refresh" content="0;url=${u}">`,
  ];
  urlHolders.forEach((holder, h) => {
    schemes.forEach((scheme, s) => {
      // every holder with the plain scheme, and each obfuscation on a rotating holder
      if (s === 0 || (s + h) % 3 === 0) add("url", (n) => holder(scheme(hit(n))));
    });
  });
  add("url", (n) => `<a href="vbscript:${hit(n)}">vb</a>`);

  // SVG and MathML
  add("svg", (n) => `<svg><script>${hit(n)}</script></svg>`);
  add("svg", (n) => `<svg><script href="data:,${hit(n)}"/></svg>`);
  add("svg", (n) => `<svg><animate onbegin=${hit(n)} attributeName=x dur=1s>`);
  add("svg", (n) => `<svg><set onbegin=${hit(n)} attributeName=x to=1>`);
  add("svg", (n) => `<svg><a xlink:href="javascript:${hit(n)}"><text x=20 y=20>链接</text></a></svg>`);
  add(
    "svg",
    (n) => `<svg><a><animate attributeName=href values=javascript:${hit(n)} /><text>点</text></a></svg>`,
  );
  add("svg", (n) => `<svg><foreignObject><img src=x onerror=${hit(n)}></foreignObject></svg>`);
  add("svg", (n) => `<svg><style><img src=x onerror=${hit(n)}></style></svg>`);
  add("svg", (n) => `<svg/onload=${hit(n)}>`);
  add(
    "svg",
    (n) =>
      `<svg><use href="data:image/svg+xml,<svg id='x' xmlns='http://www.w3.org/2000/svg'><image href='x' onerror='${hit(n)}'/></svg>#x"/></svg>`,
  );
  add("mathml", (n) => `<math><mtext><table><mglyph><style><img src=x onerror=${hit(n)}>`);
  add(
    "mathml",
    (n) => `<math><maction actiontype=statusline xlink:href=javascript:${hit(n)}>点</maction></math>`,
  );
  add("mathml", (n) => `<math href="javascript:${hit(n)}">公式</math>`);
  add(
    "mathml",
    (n) =>
      `<form><math><mtext></form><form><mglyph><svg><mtext><style><path id="</style><img onerror=${hit(n)} src>">`,
  );
  add("noscript", (n) => `<noscript><p title="</noscript><img src=x onerror=${hit(n)}>">`);

  // attribute breakouts: each quote style, then a new element or a new attribute
  const breakouts = ['"', "'", "`", "", '"/', "'/", '">', "'>", '"\n', "&quot;"];
  breakouts.forEach((b, i) => {
    add("attr-breakout", (n) => `${b}><img src=x onerror=${hit(n)}>`);
    add("attr-breakout", (n) => `${b} autofocus onfocus=${hit(n)} x=${b}`);
    if (i % 2 === 0)
      add(
        "attr-breakout",
        (n) => `${b} onmouseover=${hit(n)} style=display:block;width:100vw;height:100vh x=${b}`,
      );
  });
  add("attr-breakout", (n) => `x" onerror="${hit(n)}" src="x`);
  add("attr-breakout", (n) => `x' onload='${hit(n)}`);
  add("attr-breakout", (n) => `"></a><svg onload=${hit(n)}>`);
  add("attr-breakout", (n) => `'--><svg onload=${hit(n)}>`);
  add("attr-breakout", (n) => `</option></select><img src=x onerror=${hit(n)}>`);

  // template, style, iframe, object, embed
  add("template", (n) => `<template><img src=x onerror=${hit(n)}></template>`);
  add("template", (n) => `<template shadowrootmode=open><img src=x onerror=${hit(n)}></template>`);
  add("iframe", (n) => `<iframe srcdoc="<script>parent.${hit(n)}</script>"></iframe>`);
  add("iframe", (n) => `<iframe srcdoc="&lt;img src=x onerror=parent.${hit(n)}&gt;"></iframe>`);
  add(
    "object",
    (n) => `<object type=text/html data="data:text/html,<script>parent.${hit(n)}</script>"></object>`,
  );
  add("embed", (n) => `<embed type=image/svg+xml src="data:image/svg+xml,<svg onload='parent.${hit(n)}'/>">`);
  add("style", (n) => `<style>@import "javascript:${hit(n)}";</style>`);
  add(
    "style",
    (n) => `<style>@keyframes x{}</style><p style="animation-name:x" onanimationstart=${hit(n)}>动画</p>`,
  );
  add("style", (n) => `<link rel=import href="data:text/html,<script>${hit(n)}</script>">`);

  // CSS expressions and url() with scripts
  add("css", (n) => `<div style="width:expression(${hit(n)})">宽度</div>`);
  add("css", (n) => `<div style="background:url(javascript:${hit(n)})">背景</div>`);
  add("css", (n) => `<div style="behavior:url(x.htc);-moz-binding:url(javascript:${hit(n)})">绑定</div>`);
  add("css", (n) => `<style>body{background:url("javascript:${hit(n)}")}</style>`);
  add("css", (n) => `<p style="x:\\65xpression(${hit(n)})">转义</p>`);
  add("css", (n) => `</style><style>*{x:expression(${hit(n)})}</style>`);

  // encoded and unicode variants (harmless unless something decodes them twice)
  add("encoded", (n) => `&lt;script&gt;${hit(n)}&lt;/script&gt;`);
  add("encoded", (n) => `&#60;img src=x onerror=${hit(n)}&#62;`);
  add("encoded", (n) => `%3Cscript%3E${hit(n)}%3C%2Fscript%3E`);
  add("encoded", (n) => `%253Cscript%253E${hit(n)}%253C%252Fscript%253E`);
  add("encoded", (n) => `\\u003cimg src=x onerror=${hit(n)}\\u003e`);
  add("encoded", (n) => `\\x3cimg src=x onerror=${hit(n)}\\x3e`);
  add("encoded", (n) => `＜script＞${hit(n)}＜/script＞`);
  add("encoded", (n) => `<img src=x onerror=&#95;&#95;xssHit(${n})>`);
  add("encoded", (n) => `<img src=x onerror=\\u005f\\u005fxssHit(${n})>`);
  add("encoded", (n) => `<img src=x onerror="eval(atob('${Buffer.from(hit(n)).toString("base64")}'))">`);
  add(
    "encoded",
    (n) =>
      `<img src=x onerror=eval(String.fromCharCode(${[...hit(n)].map((c) => c.charCodeAt(0)).join(",")}))>`,
  );
  add("encoded", (n) => `+ADw-script+AD4-${hit(n)}+ADw-/script+AD4-`);
  add("unicode", (n) => `<img src=x onerror=${hit(n)}\u2028>`);
  add("unicode", (n) => `<img\u000csrc=x\u000conerror=${hit(n)}>`);
  add("unicode", (n) => `<a href="\u0001javascript:${hit(n)}">控制字符</a>`);
  add("unicode", (n) => `<a href="jav\u200bascript:${hit(n)}">零宽</a>`);

  // polyglots: one string meant to break out of text, attribute, script and comment contexts at once
  const contexts = ["</title></style></textarea></script>-->", "'\"`>", "*/", "]]>"];
  for (let i = 0; i < contexts.length; i++) {
    const prefix = contexts.slice(0, i + 1).join("");
    add("polyglot", (n) => `jaVasCript:/*-/*\`/*'/*"/**/(${hit(n)})//${prefix}<svg/onload=${hit(n)}>`);
    add("polyglot", (n) => `${prefix}<img src=x onerror=${hit(n)}>'"><script>${hit(n)}</script>`);
  }
  add("polyglot", (n) => `"';${hit(n)};//</script><script>${hit(n)}</script>`);
  add("polyglot", (n) => `\\";${hit(n)};//`);
  add("polyglot", (n) => `'-${hit(n)}-'`);
  add("polyglot", (n) => `{{constructor.constructor('${hit(n)}')()}}`);
  add("polyglot", (n) => `\${${hit(n)}}`);

  // markdown-like links and autolinks
  add("markdown", (n) => `[点击这里](javascript:${hit(n)})`);
  add("markdown", (n) => `[办事](javascript&#58;${hit(n)})`);
  add("markdown", (n) => `![图片](x" onerror="${hit(n)})`);
  add("markdown", (n) => `<javascript:${hit(n)}>`);
  add(
    "markdown",
    (n) => `[a](data:text/html;base64,${Buffer.from(`<script>${hit(n)}</script>`).toString("base64")})`,
  );
  add("markdown", (n) => `[a]: javascript:${hit(n)}\n[链接][a]`);
  add("markdown", (n) => `http://example.com/"><img src=x onerror=${hit(n)}>`);
  add("markdown", (n) => `https://example.com/?q=<script>${hit(n)}</script>`);

  // dialogs instead of the marker, in case something swallows the marker's name
  add("dialog", (n) => `<img src=x onerror=alert(${n})>`);
  add("dialog", (n) => `<svg onload=confirm(${n})>`);
  add("dialog", (n) => `<img src=x onerror=top['al'+'ert'](${n})>`);
  add("dialog", (n) => `<iframe src="javascript:prompt(${n})"></iframe>`);
  return out;
}

/** Joins payloads into chunks that each fit `maxLength` characters, separated by a space and text. */
export function packPayloads(payloads: Payload[], maxLength: number, filler = "。"): string[] {
  const chunks: string[] = [];
  let current = "";
  for (const p of payloads) {
    const piece = `${p.text}${filler}`;
    if (piece.length > maxLength) continue;
    if ((current + piece).length > maxLength) {
      chunks.push(current);
      current = "";
    }
    current += piece;
  }
  if (current) chunks.push(current);
  return chunks;
}

/**
 * Runs in the page before anything else: records markers, dialogs and the DOM check. The DOM
 * check reports injected elements that could run script even where CSP or the browser stopped
 * them this time: any on* attribute, javascript:/vbscript:/data: URLs in navigating or loading
 * attributes, style attributes (the platform's CSP forbids inline styles, so none are its own),
 * srcdoc, and dangerous elements carrying the payload marker.
 */
export function installXssHook(): void {
  const w = window as unknown as { __xss: string[]; __xssHit: (n: number) => void };
  w.__xss = [];
  w.__xssHit = (n: number) => {
    w.__xss.push(`script ran: payload ${n}`);
  };
  for (const name of ["alert", "confirm", "prompt", "print"] as const) {
    (window as unknown as Record<string, (...a: unknown[]) => unknown>)[name] = (...args: unknown[]) => {
      w.__xss.push(`${name}(${String(args[0])})`);
      return null;
    };
  }
}

/** Evaluated in the page after load: the DOM findings (see installXssHook). */
export function domFindings(): string[] {
  const urlAttributes = new Set([
    "href",
    "src",
    "action",
    "formaction",
    "data",
    "xlink:href",
    "background",
    "poster",
    "codebase",
    "lowsrc",
    "dynsrc",
  ]);
  const benign = new Set([
    "value",
    "title",
    "alt",
    "placeholder",
    "aria-label",
    "aria-description",
    "content",
    "label",
    "download",
  ]);
  const dangerous = new Set([
    "SCRIPT",
    "IFRAME",
    "FRAME",
    "FRAMESET",
    "OBJECT",
    "EMBED",
    "BASE",
    "LINK",
    "STYLE",
    "TEMPLATE",
    "svg",
    "math",
    "animate",
    "set",
    "foreignObject",
    "FORM",
  ]);
  const found: string[] = [];
  const describe = (el: Element) => (el.cloneNode(false) as Element).outerHTML.slice(0, 160);
  for (const el of document.querySelectorAll("*")) {
    const open = describe(el);
    if (dangerous.has(el.tagName) && open.includes("xssHit")) found.push(`injected element ${open}`);
    // the page's own <meta name=… content=…> may carry a title; only http-equiv can act
    if (el.tagName === "META" && el.hasAttribute("http-equiv") && open.includes("xssHit"))
      found.push(`injected element ${open}`);
    if (el.tagName === "SCRIPT" && (el.textContent ?? "").includes("xssHit"))
      found.push(`injected script ${(el.textContent ?? "").slice(0, 80)}`);
    for (const a of el.attributes) {
      const name = a.name.toLowerCase();
      const value = [...a.value]
        // what the URL parser ignores: C0 controls and spaces (not other unicode, e.g. U+200B)
        .filter((ch) => ch.charCodeAt(0) > 32)
        .join("")
        .toLowerCase();
      if (name.startsWith("on")) found.push(`event handler ${name} on ${open}`);
      else if (name === "srcdoc") found.push(`srcdoc attribute on ${open}`);
      else if (name === "style" && /xsshit|expression|javascript|behavior|binding/.test(value))
        found.push(`style attribute on ${open}`);
      else if (urlAttributes.has(name) && /^(javascript|vbscript|data):/.test(value))
        found.push(`${name}=${value.slice(0, 60)} on ${open}`);
      else if (
        a.value.includes("xssHit") &&
        !benign.has(name) &&
        !name.startsWith("data-") &&
        !name.startsWith("aria-") &&
        // a URL without a dangerous scheme is a link to somewhere harmless, however odd its path
        !urlAttributes.has(name) &&
        name !== "name" &&
        name !== "id"
      )
        found.push(`payload in ${name} on ${open}`);
    }
  }
  return found;
}
