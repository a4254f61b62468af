import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { audit } from "../../core/audit.ts";
import { can } from "../../core/auth/permissions.ts";
import {
  type CalendarEntry,
  calendarYear,
  chinaDay,
  removeCalendarDay,
  setCalendarDay,
} from "../../core/calendar.ts";
import type { AppContext } from "../../core/context.ts";
import { ForbiddenError, Problems } from "../../core/errors.ts";
import { adminFrame } from "../../core/http/admin.ts";
import { type FormState, formProblem, readForm, sendPage } from "../../core/http/forms.ts";
import { type AdminFrame, AdminLayout } from "../../web/admin-layout.tsx";
import { CsrfField, ErrorSummary, Field } from "../../web/components.tsx";

function CalendarPage({
  frame,
  year,
  entries,
  state,
}: {
  frame: AdminFrame;
  year: number;
  entries: CalendarEntry[];
  state: FormState;
}) {
  const f = state.fields ?? {};
  return (
    <AdminLayout frame={frame} title={`工作日历：${year}年`} section="sites">
      <p class="hint">
        周一至周五为工作日。这里登记的是例外：法定节假日（含调休放假）不上班，调休上班的周末要上班。所有期限（依申请公开答复、办件承诺时限、来信办理）都按此日历计算工作日。
      </p>
      <p>
        <a href={`/admin/calendar?year=${year - 1}`}>{year - 1}年</a> ·{" "}
        <a href={`/admin/calendar?year=${year + 1}`}>{year + 1}年</a>
      </p>
      {entries.some((e) => e.provisional) && (
        <p class="notice-banner">
          本年度部分日期为暂定（按《全国年节及纪念日放假办法》推定），国务院办公厅公布当年节假日安排后请核对修改。
        </p>
      )}
      <table class="data">
        <caption>{year}年的节假日与调休上班日</caption>
        <thead>
          <tr>
            <th scope="col">日期</th>
            <th scope="col">类型</th>
            <th scope="col">名称</th>
            <th scope="col">依据</th>
            <th scope="col">操作</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((e) => (
            <tr key={e.day}>
              <td>{e.day}</td>
              <td>{e.kind === "holiday" ? "放假" : "调休上班"}</td>
              <td>
                {e.name}
                {e.provisional && "（暂定）"}
              </td>
              <td>{e.source}</td>
              <td>
                <form method="post" action="/admin/calendar/remove" class="inline-form">
                  <CsrfField token={frame.csrf} />
                  <input type="hidden" name="day" value={e.day} />
                  <button type="submit" class="link-button">
                    删除<span class="visually-hidden">{e.day}</span>
                  </button>
                </form>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>登记或修改一天</h2>
      <ErrorSummary message={state.error} fields={state.fields} />
      <form method="post" action="/admin/calendar" class="narrow-form">
        <CsrfField token={frame.csrf} />
        <Field name="day" label="日期" type="date" value={state.values.day} error={f.day} required />
        <Field
          name="kind"
          label="类型"
          value={state.values.kind}
          error={f.kind}
          required
          options={[
            { value: "holiday", label: "放假（法定节假日或调休放假）" },
            { value: "workday", label: "调休上班" },
          ]}
        />
        <Field
          name="name"
          label="名称"
          value={state.values.name}
          error={f.name}
          required
          hint="如 春节、国庆节调休上班"
        />
        <Field
          name="source"
          label="依据"
          value={state.values.source}
          hint="如 国务院办公厅关于2027年部分节假日安排的通知"
        />
        <button type="submit">保存</button>
      </form>
    </AdminLayout>
  );
}

/** The working-day calendar is platform-wide: only system administrators edit it. */
export async function registerCalendarRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const frameFor = (request: FastifyRequest, reply: FastifyReply) => {
    const frame = adminFrame(request, reply);
    if (!can(frame.actor, "platform.manage")) throw new ForbiddenError("只有系统管理员可以修改工作日历");
    return frame;
  };
  const show = async (
    request: FastifyRequest,
    reply: FastifyReply,
    year: number,
    state: FormState,
    status = 200,
  ) =>
    sendPage(
      reply,
      <CalendarPage
        frame={frameFor(request, reply)}
        year={year}
        entries={await calendarYear(ctx.db, year)}
        state={state}
      />,
      status,
    );

  app.get("/admin/calendar", (request, reply) => {
    const raw = String((request.query as { year?: string }).year ?? "");
    const year = /^\d{4}$/.test(raw) ? Number(raw) : Number(chinaDay().slice(0, 4));
    return show(request, reply, year, { values: {} });
  });
  app.post("/admin/calendar", async (request, reply) => {
    const frame = frameFor(request, reply);
    const form = readForm(request);
    const values = {
      day: form.text("day"),
      kind: form.text("kind"),
      name: form.text("name"),
      source: form.text("source"),
    };
    try {
      const problems = new Problems();
      const valid =
        /^\d{4}-\d{2}-\d{2}$/.test(values.day) &&
        new Date(`${values.day}T00:00:00Z`).toISOString().startsWith(values.day);
      if (!valid) problems.add("day", "请选择日期");
      if (values.kind !== "holiday" && values.kind !== "workday") problems.add("kind", "请选择类型");
      if (!values.name.trim() || values.name.length > 30) problems.add("name", "请填写名称（不超过 30 字）");
      problems.throwIfAny();
      await setCalendarDay(ctx.db, {
        day: values.day,
        kind: values.kind as "holiday" | "workday",
        name: values.name.trim(),
        source: values.source.trim(),
      });
      await audit(ctx, frame.actor, "config.calendar_set", values.day, { ip: request.ip, kind: values.kind });
      return reply.redirect(`/admin/calendar?year=${values.day.slice(0, 4)}&msg=updated`, 303);
    } catch (error) {
      const year = Number(values.day.slice(0, 4)) || Number(chinaDay().slice(0, 4));
      return show(request, reply, year, formProblem(error, values), 400);
    }
  });
  app.post("/admin/calendar/remove", async (request, reply) => {
    const frame = frameFor(request, reply);
    const day = readForm(request).text("day");
    if (/^\d{4}-\d{2}-\d{2}$/.test(day)) {
      await removeCalendarDay(ctx.db, day);
      await audit(ctx, frame.actor, "config.calendar_removed", day, { ip: request.ip });
    }
    return reply.redirect(`/admin/calendar?year=${day.slice(0, 4)}&msg=deleted`, 303);
  });
}
