import type { Generated, Selectable } from "kysely";

export const ROLES = [
  "sysadmin",
  "security_admin",
  "auditor",
  "site_admin",
  "editor",
  "reviewer",
  "officer",
] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_LABELS: Record<Role, string> = {
  sysadmin: "系统管理员",
  security_admin: "安全管理员",
  auditor: "安全审计员",
  site_admin: "站点管理员",
  editor: "编辑",
  reviewer: "审核人",
  officer: "经办人",
};

export interface UsersTable {
  id: Generated<number>;
  kind: "staff" | "citizen";
  username: string | null;
  display_name: string;
  phone_enc: Buffer | null;
  phone_index: Buffer | null;
  phone_masked: string | null;
  department_id: number | null;
  password_hash: string;
  status: Generated<"active" | "disabled">;
  created_at: Generated<Date>;
  last_login_at: Date | null;
  password_changed_at: Generated<Date>;
  totp_secret_enc: Buffer | null;
  totp_enabled_at: Date | null;
  totp_last_step: number | null;
}

export interface LoginFailuresTable {
  user_id: number;
  failures: Generated<number>;
  locked_until: Date | null;
}

export interface SmsCodesTable {
  id: Generated<number>;
  phone_index: Buffer;
  code_hash: Buffer;
  created_at: Generated<Date>;
  expires_at: Date;
  attempts: Generated<number>;
  used_at: Date | null;
  ip: Generated<string>;
}

export interface PasswordHistoryTable {
  id: Generated<number>;
  user_id: number;
  password_hash: string;
  created_at: Generated<Date>;
}

export interface RecoveryCodesTable {
  id: Generated<number>;
  user_id: number;
  code_hash: Buffer;
  used_at: Date | null;
}

export interface GrantsTable {
  id: Generated<number>;
  user_id: number;
  role: Role;
  site_id: number | null;
  column_id: number | null;
  review_level: number | null;
  created_at: Generated<Date>;
}

export interface SessionsTable {
  id: Buffer;
  user_id: number;
  created_at: Generated<Date>;
  last_seen_at: Generated<Date>;
  ip: Generated<string>;
  user_agent: Generated<string>;
  stage: Generated<"full" | "mfa" | "enrol" | "password">;
}

export interface IdentityLinksTable {
  id: Generated<number>;
  user_id: number;
  issuer: string;
  subject: string;
  provider_name: string;
  linked_at: Generated<Date>;
  last_used_at: Date | null;
}

export interface OidcRequestsTable {
  id: Buffer;
  state: string;
  nonce: string;
  code_verifier: string;
  user_id: number | null;
  next: Generated<string>;
  created_at: Generated<Date>;
  expires_at: Date;
}

export interface IdentityTables {
  identity_links: IdentityLinksTable;
  oidc_requests: OidcRequestsTable;
  users: UsersTable;
  grants: GrantsTable;
  sessions: SessionsTable;
  password_history: PasswordHistoryTable;
  login_failures: LoginFailuresTable;
  sms_codes: SmsCodesTable;
  recovery_codes: RecoveryCodesTable;
}

export type UserRow = Selectable<UsersTable>;
export type Grant = Selectable<GrantsTable>;
