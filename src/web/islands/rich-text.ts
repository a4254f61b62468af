/**
 * Rich-text editing island. Without JavaScript the editor is a plain HTML textarea; with it, the
 * textarea is kept (hidden) as the form field and a small WYSIWYG surface writes into it. The
 * server sanitizes whatever arrives, so this island only has to be pleasant, not safe.
 */
interface Tool {
  label: string;
  run: (surface: HTMLElement) => void;
}

const command = (name: string, value?: string) => () => document.execCommand(name, false, value);

const TOOLS: Tool[] = [
  { label: "正文段落", run: command("formatBlock", "p") },
  { label: "二级标题", run: command("formatBlock", "h2") },
  { label: "三级标题", run: command("formatBlock", "h3") },
  { label: "加粗", run: command("bold") },
  { label: "编号列表", run: command("insertOrderedList") },
  { label: "项目列表", run: command("insertUnorderedList") },
  {
    label: "插入链接",
    run: () => {
      const url = window.prompt("链接地址（以 https:// 开头）", "https://");
      if (url && /^https?:\/\//.test(url)) document.execCommand("createLink", false, url);
    },
  },
  { label: "清除格式", run: command("removeFormat") },
];

function enhance(textarea: HTMLTextAreaElement): void {
  const label = document.querySelector<HTMLLabelElement>(`label[for="${textarea.id}"]`);
  const toolbar = document.createElement("div");
  toolbar.className = "rte-toolbar";
  toolbar.setAttribute("role", "toolbar");
  toolbar.setAttribute("aria-label", "正文格式");
  const surface = document.createElement("div");
  surface.className = "rte-surface";
  surface.contentEditable = "true";
  surface.setAttribute("role", "textbox");
  surface.setAttribute("aria-multiline", "true");
  if (label) {
    label.id ||= `${textarea.id}-label`;
    surface.setAttribute("aria-labelledby", label.id);
  }
  // the hint and any error stay announced when the visible field is the surface, not the textarea
  for (const attribute of ["aria-describedby", "aria-invalid"]) {
    const value = textarea.getAttribute(attribute);
    if (value) surface.setAttribute(attribute, value);
  }
  surface.innerHTML = textarea.value;
  const sync = () => {
    textarea.value = surface.innerHTML;
  };
  surface.addEventListener("input", sync);
  surface.addEventListener("blur", sync);
  for (const tool of TOOLS) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "secondary";
    button.textContent = tool.label;
    button.addEventListener("click", () => {
      surface.focus();
      tool.run(surface);
      sync();
    });
    toolbar.append(button);
  }
  const source = document.createElement("button");
  source.type = "button";
  source.className = "secondary";
  source.textContent = "编辑源代码";
  source.setAttribute("aria-pressed", "false");
  source.addEventListener("click", () => {
    const showingSource = source.getAttribute("aria-pressed") === "true";
    if (showingSource) surface.innerHTML = textarea.value;
    else sync();
    source.setAttribute("aria-pressed", String(!showingSource));
    textarea.hidden = showingSource;
    surface.hidden = !showingSource;
  });
  toolbar.append(source);
  textarea.hidden = true;
  textarea.before(toolbar, surface);
  textarea.form?.addEventListener("submit", () => {
    if (!surface.hidden) sync();
  });
}

for (const textarea of document.querySelectorAll<HTMLTextAreaElement>("textarea[data-rich-text]"))
  enhance(textarea);
