/**
 * 无障碍工具条, enhanced: applies a preference in place (the links work without this script),
 * and adds what only the browser can do — read-aloud with speechSynthesis, 指读 and the reading guide.
 */
import {
  applyChange,
  PREFERENCE_CLASSES,
  PREFERENCES_COOKIE,
  type Preferences,
  parsePreferences,
  preferenceClasses,
  serializePreferences,
} from "../preferences.ts";

const root = document.documentElement;
// 长辈版 changes the page's layout on the server (services first), so only a reload switches it
const IN_PLACE_CLASSES = PREFERENCE_CLASSES.filter((name) => name !== "elder");

function readPrefs(): Preferences {
  const match = document.cookie.match(new RegExp(`(?:^|; )${PREFERENCES_COOKIE}=([^;]*)`));
  return parsePreferences(match ? decodeURIComponent(match[1] ?? "") : undefined);
}

function writePrefs(prefs: Preferences): void {
  const value = serializePreferences(prefs);
  // biome-ignore lint/suspicious/noDocumentCookie: the Cookie Store API is missing from browsers our citizens still use
  document.cookie = value
    ? `${PREFERENCES_COOKIE}=${value}; path=/; max-age=31536000; samesite=lax`
    : `${PREFERENCES_COOKIE}=; path=/; max-age=0; samesite=lax`;
}

function stateOf(prefs: Preferences, name: string): string {
  const value = prefs[name as keyof Preferences];
  return typeof value === "boolean" ? (value ? "on" : "off") : String(value);
}

function render(prefs: Preferences): void {
  root.classList.remove(...IN_PLACE_CLASSES);
  for (const name of preferenceClasses(prefs).split(" "))
    if (IN_PLACE_CLASSES.includes(name)) root.classList.add(name);
  for (const link of document.querySelectorAll<HTMLAnchorElement>("a[data-pref]")) {
    const name = link.dataset.pref ?? "";
    if (link.dataset.value === "toggle") continue;
    if (name === "reset" || (name === "bar" && link.dataset.value === "off")) continue;
    if (link.dataset.value === stateOf(prefs, name)) link.setAttribute("aria-current", "true");
    else link.removeAttribute("aria-current");
  }
  const bar = document.getElementById("a11y-toolbar");
  if (bar) bar.hidden = !prefs.bar;
  for (const toggle of document.querySelectorAll('[aria-controls="a11y-toolbar"]'))
    toggle.setAttribute("aria-expanded", prefs.bar ? "true" : "false");
  guide.enable(prefs.guide);
  pointerReading.enable(prefs.speak);
}

/* ---------------------------------------------------------------- read-aloud */
const speech = "speechSynthesis" in window ? window.speechSynthesis : undefined;

function speak(text: string): void {
  if (!speech) return;
  speech.cancel();
  // long texts are read sentence by sentence: some engines stop after a few hundred characters
  for (const sentence of text.match(/[^。！？!?\n]+[。！？!?]?/g) ?? []) {
    const trimmed = sentence.trim();
    if (!trimmed) continue;
    const utterance = new SpeechSynthesisUtterance(trimmed);
    utterance.lang = "zh-CN";
    speech.speak(utterance);
  }
}

const speechActions: Record<string, () => void> = {
  start: () => speak((document.getElementById("main") ?? document.body).innerText),
  pause: () => speech?.pause(),
  resume: () => speech?.resume(),
  stop: () => speech?.cancel(),
};

const READABLE = "p, li, h1, h2, h3, h4, td, th, dt, dd, a, button, label, caption, figcaption";

const pointerReading = (() => {
  let last: Element | null = null;
  const read = (event: Event) => {
    const target = (event.target as Element | null)?.closest?.(READABLE);
    if (!target || target === last) return;
    last = target;
    speak((target as HTMLElement).innerText || target.getAttribute("aria-label") || "");
  };
  let on = false;
  return {
    enable(next: boolean) {
      if (next === on) return;
      on = next;
      const method = next ? "addEventListener" : "removeEventListener";
      document[method]("mouseover", read);
      document[method]("focusin", read);
      if (!next) speech?.cancel();
    },
  };
})();

/* ---------------------------------------------------------------- reading guide */
const guide = (() => {
  let line: HTMLDivElement | undefined;
  const follow = (event: PointerEvent) => {
    if (line) line.style.top = `${event.clientY}px`;
  };
  return {
    enable(on: boolean) {
      if (on && !line) {
        line = document.createElement("div");
        line.className = "reading-guide";
        line.setAttribute("aria-hidden", "true");
        document.body.append(line);
        document.addEventListener("pointermove", follow);
      } else if (!on && line) {
        line.remove();
        line = undefined;
        document.removeEventListener("pointermove", follow);
      }
    },
  };
})();

/* ---------------------------------------------------------------- wiring */
function onClick(event: MouseEvent): void {
  const target = event.target as Element | null;
  const link = target?.closest<HTMLAnchorElement>("a[data-pref]");
  if (link) {
    event.preventDefault();
    const change = Object.fromEntries(new URL(link.href).searchParams);
    const prefs = applyChange(readPrefs(), change);
    writePrefs(prefs);
    render(prefs);
    if (link.dataset.pref === "bar" && prefs.bar)
      document.querySelector<HTMLElement>("#a11y-toolbar a")?.focus();
    return;
  }
  const button = target?.closest<HTMLButtonElement>("button[data-speech]");
  if (button) speechActions[button.dataset.speech ?? ""]?.();
}

for (const group of document.querySelectorAll<HTMLElement>("[data-needs-script]")) {
  // read-aloud needs speechSynthesis; the reading guide only a pointer
  if (group.querySelector("[data-speech]") || group.querySelector('[data-pref="speak"]'))
    group.hidden = !speech;
  else group.hidden = false;
}
document.addEventListener("click", onClick);
render(readPrefs());
