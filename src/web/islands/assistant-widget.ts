/**
 * The 智能问答 widget, enhanced: a toggle opens the ask box, the answer and its sources appear in
 * a live region without leaving the page, Esc closes and returns focus. Without this script the
 * same markup is a plain form that opens the assistant page.
 */
interface Answer {
  answer: string;
  confident: boolean;
  sources: { title: string; url: string }[];
}

function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Partial<HTMLElementTagNameMap[K]> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

function attach(widget: HTMLElement): void {
  const title = widget.querySelector<HTMLElement>(".ask-widget-title");
  const form = widget.querySelector<HTMLFormElement>("form");
  const input = form?.querySelector<HTMLInputElement>("input[name=q]");
  const output = form?.querySelector<HTMLElement>(".ask-widget-answer");
  if (!title || !form || !input || !output) return;
  // the heading holds the toggle, so the widget keeps its name for screen-reader navigation
  const toggle = element(
    "button",
    { type: "button", className: "ask-widget-toggle" },
    title.textContent ?? "",
  );
  toggle.setAttribute("aria-expanded", "false");
  toggle.setAttribute("aria-controls", form.id);
  title.replaceChildren(toggle);
  widget.classList.add("is-enhanced");
  form.hidden = true;

  let isOpen = false;
  const setOpen = (open: boolean, focus: HTMLElement) => {
    isOpen = open;
    form.hidden = !open;
    toggle.setAttribute("aria-expanded", String(open));
    focus.focus();
  };
  toggle.addEventListener("click", () => setOpen(!isOpen, isOpen ? toggle : input));
  widget.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && isOpen) {
      event.preventDefault();
      setOpen(false, toggle);
    }
  });

  let asking = 0;
  form.addEventListener("submit", async (event) => {
    const q = input.value.trim();
    if (!q) return;
    event.preventDefault();
    const ticket = ++asking;
    const pageLink = `${form.action}?q=${encodeURIComponent(q)}`;
    output.replaceChildren(element("p", {}, "正在查找答案…"));
    try {
      const response = await fetch(`/api/assistant?q=${encodeURIComponent(q)}`, {
        headers: { accept: "application/json" },
      });
      if (!response.ok) throw new Error(String(response.status));
      const answer = (await response.json()) as Answer;
      if (ticket !== asking) return;
      const parts: Node[] = [element("p", { className: "ask-widget-text" }, answer.answer)];
      if (answer.sources.length)
        parts.push(
          element(
            "p",
            { className: "ask-widget-sources-title" },
            answer.confident ? "来源：" : "可能有帮助的内容：",
          ),
          element(
            "ol",
            { className: "ask-widget-sources" },
            ...answer.sources
              .slice(0, 3)
              .map((s) => element("li", {}, element("a", { href: s.url }, s.title))),
          ),
        );
      parts.push(element("p", {}, element("a", { href: pageLink }, "在智能问答页继续提问、评价答案")));
      output.replaceChildren(...parts);
    } catch {
      if (ticket !== asking) return;
      output.replaceChildren(
        element("p", {}, "暂时无法获取答案，", element("a", { href: pageLink }, "请在智能问答页查看"), "。"),
      );
    }
  });
}

for (const widget of document.querySelectorAll<HTMLElement>("[data-ask-widget]")) attach(widget);
