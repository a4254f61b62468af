/**
 * A visitor's display preferences (无障碍 toolbar and 长辈版), kept in one cookie so the server draws
 * every page in them — no flash, and no JavaScript needed. The toolbar island uses the same
 * functions to apply a change at once. Pure: bundled into the browser island too.
 */
export interface Preferences {
  /** Text size step: 0 (standard) to 3. */
  text: number;
  scheme: "standard" | "contrast" | "dark";
  spacing: boolean;
  cursor: boolean;
  guide: boolean;
  /** 指读: read aloud the text pointed at or focused. */
  speak: boolean;
  elder: boolean;
  /** The toolbar stays open across pages until closed. */
  bar: boolean;
}

export const PREFERENCES_COOKIE = "zw_a11y";
export const MAX_TEXT_STEP = 3;
const SCHEMES = ["standard", "contrast", "dark"] as const;
const FLAGS = ["spacing", "cursor", "guide", "speak", "elder", "bar"] as const;
type Flag = (typeof FLAGS)[number];

export const STANDARD: Preferences = {
  text: 0,
  scheme: "standard",
  spacing: false,
  cursor: false,
  guide: false,
  speak: false,
  elder: false,
  bar: false,
};

/** Cookie value to preferences; anything unknown is ignored, so an old or forged cookie is harmless. */
export function parsePreferences(value: string | undefined): Preferences {
  const prefs = { ...STANDARD };
  for (const token of (value ?? "").split(".")) {
    if (/^t[0-3]$/.test(token)) prefs.text = Number(token.slice(1));
    else if ((SCHEMES as readonly string[]).includes(token)) prefs.scheme = token as Preferences["scheme"];
    else if ((FLAGS as readonly string[]).includes(token)) prefs[token as Flag] = true;
  }
  return prefs;
}

export function serializePreferences(prefs: Preferences): string {
  return [
    prefs.text ? `t${prefs.text}` : "",
    prefs.scheme === "standard" ? "" : prefs.scheme,
    ...FLAGS.filter((f) => prefs[f]),
  ]
    .filter(Boolean)
    .join(".");
}

/**
 * One change from the toolbar, as its query string carries it: text=up|down|0..3,
 * scheme=standard|contrast|dark, a flag=on|off|toggle, or reset=1 (keeps the toolbar open).
 */
export function applyChange(prefs: Preferences, change: Record<string, string | undefined>): Preferences {
  if (change.reset) return { ...STANDARD, bar: prefs.bar };
  const next = { ...prefs };
  const text = change.text;
  if (text === "up") next.text = Math.min(MAX_TEXT_STEP, prefs.text + 1);
  else if (text === "down") next.text = Math.max(0, prefs.text - 1);
  else if (text !== undefined && /^[0-3]$/.test(text)) next.text = Number(text);
  if (change.scheme && (SCHEMES as readonly string[]).includes(change.scheme))
    next.scheme = change.scheme as Preferences["scheme"];
  for (const flag of FLAGS) {
    const v = change[flag];
    if (v === "on" || v === "1") next[flag] = true;
    else if (v === "off" || v === "0") next[flag] = false;
    else if (v === "toggle") next[flag] = !prefs[flag];
  }
  return next;
}

/** Classes on <html> that the stylesheet keys on. */
export function preferenceClasses(prefs: Preferences): string {
  return [
    prefs.text ? `text-${prefs.text}` : "",
    prefs.scheme === "standard" ? "" : `scheme-${prefs.scheme}`,
    prefs.spacing ? "wide-spacing" : "",
    prefs.cursor ? "large-cursor" : "",
    prefs.elder ? "elder" : "",
  ]
    .filter(Boolean)
    .join(" ");
}

/** Every class preferenceClasses can put on <html>, so a change can clear the old ones first. */
export const PREFERENCE_CLASSES: readonly string[] = [
  ...[1, 2, 3].map((step) => preferenceClasses({ ...STANDARD, text: step })),
  ...(["contrast", "dark"] as const).map((scheme) => preferenceClasses({ ...STANDARD, scheme })),
  preferenceClasses({ ...STANDARD, spacing: true }),
  preferenceClasses({ ...STANDARD, cursor: true }),
  preferenceClasses({ ...STANDARD, elder: true }),
];

/** A same-site path to return to after a change: never another origin. */
export function safeBack(back: string | undefined): string {
  if (!back?.startsWith("/") || back.startsWith("//") || back.startsWith("/\\")) return "/";
  return back.slice(0, 2000);
}
