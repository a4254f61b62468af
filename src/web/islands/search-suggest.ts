/**
 * 自动补全 for the search box: fills the field's <datalist> from /api/search/suggest as the visitor
 * types. Without JavaScript the box is a plain search field and nothing is lost.
 */
function attach(input: HTMLInputElement): void {
  const listId = input.getAttribute("list");
  const list = listId ? document.getElementById(listId) : null;
  if (!list) return;
  let timer: number | undefined;
  let last = "";
  input.addEventListener("input", () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(async () => {
      const q = input.value.trim();
      if (q === last || q.length < 1 || q.length > 30) return;
      last = q;
      try {
        const response = await fetch(`/api/search/suggest?q=${encodeURIComponent(q)}`);
        if (!response.ok) return;
        const { suggestions } = (await response.json()) as { suggestions: string[] };
        list.replaceChildren(
          ...suggestions.map((s) => {
            const option = document.createElement("option");
            option.value = s;
            return option;
          }),
        );
      } catch {
        // suggestions are a convenience; the form still works
      }
    }, 200);
  });
}

for (const input of document.querySelectorAll<HTMLInputElement>("input[data-suggest]")) attach(input);
