import type { FastifyInstance } from "fastify";
import {
  applyChange,
  PREFERENCES_COOKIE,
  type Preferences,
  parsePreferences,
  safeBack,
  serializePreferences,
} from "./preferences.ts";

const ONE_YEAR = 365 * 24 * 3600;

/** Where a toolbar link goes: the change, and back to the page it was clicked on. */
export function preferenceHref(change: Record<string, string>, back: string): string {
  return `/a11y/set?${new URLSearchParams({ ...change, back }).toString()}`;
}

interface Choice {
  label: string;
  value: string;
  /** Shown to screen readers only, where the visible label is a symbol. */
  spoken?: string;
}

function ChoiceGroup(props: {
  name: keyof Preferences;
  title: string;
  current: string;
  choices: Choice[];
  back: string;
  needsScript?: boolean;
}) {
  return (
    <li class="a11y-group" data-needs-script={props.needsScript ? "" : undefined} hidden={props.needsScript}>
      <span class="a11y-group-title">{props.title}</span>
      {props.choices.map((c) => (
        <a
          key={c.value}
          href={preferenceHref({ [props.name]: c.value }, props.back)}
          rel="nofollow"
          data-pref={props.name}
          data-value={c.value}
          aria-current={c.value === props.current ? "true" : undefined}
        >
          {c.spoken ? (
            <>
              <span aria-hidden="true">{c.label}</span>
              <span class="visually-hidden">{c.spoken}</span>
            </>
          ) : (
            c.label
          )}
        </a>
      ))}
    </li>
  );
}

const onOff = (on: boolean) => (on ? "on" : "off");
const SWITCH: Choice[] = [
  { label: "关", value: "off" },
  { label: "开", value: "on" },
];

/**
 * 无障碍工具条: every control is a link that works without JavaScript (the server sets the
 * preference and redirects back); the island applies the same change in place. Read-aloud and the
 * reading guide need the browser, so they appear only when the island runs.
 */
export function AccessibilityToolbar({ prefs, back }: { prefs: Preferences; back: string }) {
  return (
    <section id="a11y-toolbar" class="a11y-bar" aria-label="无障碍工具条" hidden={!prefs.bar}>
      <ul class="wrap a11y-groups">
        <ChoiceGroup
          name="text"
          title="字号"
          current={String(prefs.text)}
          back={back}
          choices={[
            { label: "标准", value: "0" },
            { label: "大", value: "1" },
            { label: "较大", value: "2" },
            { label: "特大", value: "3" },
          ]}
        />
        <ChoiceGroup
          name="scheme"
          title="配色"
          current={prefs.scheme}
          back={back}
          choices={[
            { label: "标准", value: "standard" },
            { label: "高对比度", value: "contrast" },
            { label: "深色", value: "dark" },
          ]}
        />
        <ChoiceGroup
          name="spacing"
          title="加大行距"
          current={onOff(prefs.spacing)}
          back={back}
          choices={SWITCH}
        />
        <ChoiceGroup
          name="cursor"
          title="大鼠标"
          current={onOff(prefs.cursor)}
          back={back}
          choices={SWITCH}
        />
        <ChoiceGroup
          name="guide"
          title="阅读辅助线"
          current={onOff(prefs.guide)}
          back={back}
          choices={SWITCH}
          needsScript
        />
        <ChoiceGroup
          name="speak"
          title="指读"
          current={onOff(prefs.speak)}
          back={back}
          choices={SWITCH}
          needsScript
        />
        <li class="a11y-group" data-needs-script="" hidden>
          <span class="a11y-group-title">朗读正文</span>
          <button type="button" data-speech="start">
            开始
          </button>
          <button type="button" data-speech="pause">
            暂停
          </button>
          <button type="button" data-speech="resume">
            继续
          </button>
          <button type="button" data-speech="stop">
            停止
          </button>
        </li>
        <li class="a11y-group">
          <a href={preferenceHref({ reset: "1" }, back)} rel="nofollow" data-pref="reset" data-value="1">
            恢复默认
          </a>
          <a href={preferenceHref({ bar: "off" }, back)} rel="nofollow" data-pref="bar" data-value="off">
            关闭工具条
          </a>
        </li>
      </ul>
    </section>
  );
}

/** GET /a11y/set?{change}&back={path}: stores the preference and returns to the page. */
export async function registerAccessibilityRoutes(app: FastifyInstance): Promise<void> {
  app.get("/a11y/set", async (request, reply) => {
    const query = request.query as Record<string, string | undefined>;
    const prefs = applyChange(parsePreferences(request.cookies[PREFERENCES_COOKIE]), query);
    const value = serializePreferences(prefs);
    // not HttpOnly: the toolbar island writes the same cookie when it applies a change in place
    if (value)
      reply.setCookie(PREFERENCES_COOKIE, value, {
        path: "/",
        maxAge: ONE_YEAR,
        sameSite: "lax",
        httpOnly: false,
      });
    else reply.clearCookie(PREFERENCES_COOKIE, { path: "/" });
    return reply
      .header("Cache-Control", "no-store")
      .header("X-Robots-Tag", "noindex")
      .redirect(safeBack(query.back), 303);
  });
}
