import type { FastifyInstance } from "fastify";
import type { AppContext } from "../../core/context.ts";
import { RedirectToLogin } from "../../core/http/admin.ts";
import { readForm, sendPage } from "../../core/http/forms.ts";
import { inboxOf, markRead } from "../../core/inbox.ts";
import { CsrfField } from "../../web/components.tsx";
import { formatDateTime } from "../../web/html.ts";
import { PublicLayout, type SiteFrame } from "../../web/layout.tsx";
import { buildFrame, resolveSite } from "../sites/frame.ts";

/** 站内消息: every signed-in user's inbox, filled by any module through src/core/inbox.ts. */
export async function registerInboxRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.get("/account/inbox", async (request, reply) => {
    if (!request.actor) throw new RedirectToLogin(request.url);
    const { site, base } = await resolveSite(ctx, request);
    const frame = await buildFrame(ctx, request, site, base);
    const messages = await inboxOf(ctx.db, request.actor.id);
    return sendPage(
      reply.header("Cache-Control", "no-store"),
      <InboxPage frame={frame} csrf={reply.generateCsrf()} messages={messages} />,
    );
  });
  app.post("/account/inbox/read", async (request, reply) => {
    if (!request.actor) throw new RedirectToLogin("/account/inbox");
    const id = readForm(request).int("id");
    await markRead(ctx.db, request.actor.id, id ?? undefined);
    return reply.redirect("/account/inbox", 303);
  });
}

export function InboxPage(props: {
  frame: SiteFrame;
  csrf: string;
  messages: {
    id: number;
    title: string;
    body: string;
    link: string;
    created_at: Date;
    read_at: Date | null;
  }[];
}) {
  const unread = props.messages.filter((m) => !m.read_at).length;
  return (
    <PublicLayout
      frame={props.frame}
      title="站内消息"
      crumbs={[{ label: "首页", href: "/" }, { label: "个人中心", href: "/account" }, { label: "站内消息" }]}
    >
      <h1>站内消息</h1>
      <p>
        共 {props.messages.length} 条，未读 {unread} 条。
      </p>
      {unread > 0 && (
        <form method="post" action="/account/inbox/read" class="inline-form">
          <CsrfField token={props.csrf} />
          <button type="submit" class="secondary">
            全部标为已读
          </button>
        </form>
      )}
      <ul class="inbox">
        {props.messages.map((m) => (
          <li key={m.id} class={m.read_at ? "" : "unread"}>
            <h2>
              {!m.read_at && <span class="tag">未读</span>}
              {m.link.startsWith("/") ? <a href={m.link}>{m.title}</a> : m.title}
            </h2>
            <time dateTime={m.created_at.toISOString()}>{formatDateTime(m.created_at)}</time>
            {m.body && <p>{m.body}</p>}
          </li>
        ))}
      </ul>
    </PublicLayout>
  );
}
