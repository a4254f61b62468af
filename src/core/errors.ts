/** A problem the user can fix; its message is Chinese and safe to show. */
export class UserError extends Error {
  override name = "UserError";
  readonly statusCode: number;
  /** Per-field messages for re-rendering a form. */
  readonly fields: Record<string, string>;
  constructor(message: string, statusCode = 400, fields: Record<string, string> = {}) {
    super(message);
    this.statusCode = statusCode;
    this.fields = fields;
  }
}

export class NotFoundError extends UserError {
  constructor(message = "您访问的页面不存在或已删除") {
    super(message, 404);
  }
}

export class ForbiddenError extends UserError {
  constructor(message = "您没有执行此操作的权限") {
    super(message, 403);
  }
}

/** Collects field errors; `throwIfAny` raises one UserError listing them all. */
export class Problems {
  readonly fields: Record<string, string> = {};
  add(field: string, message: string): void {
    this.fields[field] ??= message;
  }
  get any(): boolean {
    return Object.keys(this.fields).length > 0;
  }
  throwIfAny(summary = "提交的内容有误，请按提示修改后重新提交"): void {
    if (this.any) throw new UserError(summary, 400, this.fields);
  }
}
