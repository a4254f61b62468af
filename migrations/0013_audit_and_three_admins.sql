-- 安全审计: an append-only log chained by SM3 hashes, and the 三员 roles (GB/T 22239-2019 三级).

create table audit_log (
  -- consecutive from 1, so a deleted record leaves a gap that `zhengwu audit verify` reports
  seq bigint primary key check (seq > 0),
  at timestamptz not null,
  -- no foreign key: records outlive the accounts they mention
  actor_id int,
  actor_name text not null default '',
  action text not null,
  target text not null default '',
  result text not null check (result in ('success', 'failure', 'denied')),
  ip text not null default '',
  detail jsonb not null default '{}',
  prev_hash bytea not null,
  hash bytea not null
);
create index audit_log_at on audit_log (at);
create index audit_log_action on audit_log (action, at);
create index audit_log_actor on audit_log (actor_id, at);

-- No account, the application's included, can alter or delete a record.
create function audit_log_append_only() returns trigger language plpgsql as $$
begin
  raise exception '安全审计记录只能追加，不能修改或删除';
end
$$;
create trigger audit_log_no_change before update or delete on audit_log
  for each row execute function audit_log_append_only();
create trigger audit_log_no_truncate before truncate on audit_log
  for each statement execute function audit_log_append_only();

-- 三员分立: 系统管理员 (sysadmin), 安全管理员 (security_admin), 安全审计员 (auditor).
alter table grants drop constraint grants_role_check;
alter table grants add constraint grants_role_check
  check (role in ('sysadmin', 'security_admin', 'auditor', 'site_admin', 'editor', 'reviewer', 'officer'));
