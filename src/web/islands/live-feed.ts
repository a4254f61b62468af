/**
 * Live feed of an online interview: follows the server-sent events of the list marked
 * data-live-feed and appends each new entry. Without JavaScript the page refreshes itself instead.
 */
interface Entry {
  id: number;
  speaker: string;
  question: string;
  asker: string;
  body: string;
  time: string;
}

function render(entry: Entry): HTMLLIElement {
  const li = document.createElement("li");
  li.id = `e-${entry.id}`;
  if (entry.question) {
    const q = document.createElement("p");
    q.className = "feed-question";
    q.textContent = `网友“${entry.asker}”问：${entry.question}`;
    li.append(q);
  }
  const p = document.createElement("p");
  const who = document.createElement("strong");
  who.textContent = `${entry.speaker}：`;
  p.append(who, document.createTextNode(entry.body));
  const time = document.createElement("p");
  time.className = "hint";
  time.textContent = entry.time;
  li.append(p, time);
  return li;
}

for (const list of document.querySelectorAll<HTMLElement>("[data-live-feed]")) {
  const src = list.dataset.liveFeed;
  if (!src || typeof EventSource === "undefined") continue;
  const last = list.querySelector("li:last-child")?.id.replace("e-", "") ?? "0";
  const events = new EventSource(`${src}?after=${encodeURIComponent(last)}`);
  events.addEventListener("entry", (e) => {
    const entry = JSON.parse((e as MessageEvent<string>).data) as Entry;
    if (!document.getElementById(`e-${entry.id}`)) list.append(render(entry));
  });
  events.addEventListener("end", () => events.close());
}
