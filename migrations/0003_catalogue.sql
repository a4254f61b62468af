-- 政府信息公开目录: organisation codes, 索引号 on documents, and the per-organisation yearly counter.

-- 统一社会信用代码 of the department as a publishing organisation (发布机构): the 前段码 of 索引号.
-- 18 characters from the code's alphabet (digits and capitals without I, O, S, V, Z).
alter table departments add column org_code text unique
  check (org_code ~ '^[0-9A-HJ-NPQRTUWXY]{18}$');

-- 索引号 = 前段码/年份-5位流水号, e.g. 11999900MB0123456X/2026-00017. Given once, when the document is
-- first published; never changed and never given to another document, even after withdrawal.
alter table documents add column index_no text unique
  check (index_no ~ '^[0-9A-Z]{9,18}/\d{4}-\d{5}$');

create function documents_index_no_immutable() returns trigger language plpgsql as $$
begin
  if old.index_no is not null and new.index_no is distinct from old.index_no then
    raise exception '索引号一经生成不得修改（文档 %）', old.id using errcode = 'check_violation';
  end if;
  return new;
end $$;

create trigger documents_index_no_immutable before update of index_no on documents
  for each row execute function documents_index_no_immutable();

-- One row per (前段码, year): the last serial handed out. Incremented with
-- INSERT … ON CONFLICT DO UPDATE … RETURNING inside the publishing transaction, so concurrent
-- publishers queue on the row and every number is handed out once.
create table index_counters (
  prefix text not null,
  year int not null check (year between 1900 and 9999),
  last_serial int not null check (last_serial between 1 and 99999),
  updated_at timestamptz not null default now(),
  primary key (prefix, year)
);

-- The policy library reads live documents of one type.
create index documents_type_live on documents (type) where live_version_id is not null;
