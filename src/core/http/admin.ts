import type { FastifyReply, FastifyRequest } from "fastify";
import type { AdminFrame } from "../../web/admin-layout.tsx";
import type { Actor } from "../auth/permissions.ts";
import { isStaff } from "../auth/permissions.ts";
import { ForbiddenError } from "../errors.ts";

/** Fixed confirmation messages, chosen by key so nothing user-supplied is echoed. */
const FLASH: Record<string, string> = {
  saved: "已保存为新版本。",
  created: "已创建。",
  submitted: "已提交审核。",
  published: "已发布，公众现在可以看到这一版本。",
  scheduled: "审核已全部通过，将在定时发布时间自动发布。",
  approved: "已审核通过，已转下一级审核。",
  rejected: "已退回修改。",
  withdrawn: "已撤稿，该文档已从所有网站下线。",
  restored: "已把所选版本恢复为新草稿，请提交审核。",
  placed: "已引用到所选栏目。",
  unplaced: "已移除引用。",
  updated: "已更新。",
  deleted: "已删除。",
};

export class RedirectToLogin extends Error {
  readonly next: string;
  constructor(next: string) {
    super("login required");
    this.next = next;
  }
}

/** The signed-in staff member, or a redirect to the sign-in page. */
export function requireStaff(request: FastifyRequest): Actor {
  if (!request.actor) throw new RedirectToLogin(request.url);
  if (!isStaff(request.actor)) throw new ForbiddenError("管理后台仅供工作人员使用");
  return request.actor;
}

export function adminFrame(request: FastifyRequest, reply: FastifyReply): AdminFrame {
  const actor = requireStaff(request);
  const key = (request.query as { msg?: string } | undefined)?.msg;
  return { actor, csrf: reply.generateCsrf(), flash: key ? FLASH[key] : undefined };
}
