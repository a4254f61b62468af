-- 依申请公开: information requests under 《政府信息公开条例》 Art 27–45.

-- The officer who handles cases (经办人); site administrators act as 工作机构负责人.
alter table grants drop constraint grants_role_check;
alter table grants add constraint grants_role_check
  check (role in ('sysadmin', 'site_admin', 'editor', 'reviewer', 'officer'));

create table info_requests (
  id serial primary key,
  -- shown to the applicant; with the query code it opens the case without an account
  tracking_no text not null unique,
  query_code_hash bytea not null,
  site_id int not null references sites(id),
  department_id int references departments(id),
  citizen_id int references users(id),
  applicant_type text not null check (applicant_type in ('person', 'organisation')),
  -- 法人或其他组织 category, as the annual report's columns need it
  org_category text check (org_category in ('商业企业', '科研机构', '社会公益组织', '法律服务机构', '其他')),
  applicant_name text not null,
  contact_person text not null default '',
  id_type text not null,
  id_number_enc bytea not null,
  id_number_index bytea not null,
  id_number_masked text not null,
  phone_enc bytea not null,
  phone_masked text not null,
  email text not null default '',
  address_enc bytea,
  address_masked text not null default '',
  description text not null,
  document_hint text not null default '',
  carrier text not null,
  delivery text not null,
  state text not null,
  submitted_at timestamptz not null default now(),
  received_on date,
  -- the statutory clock (see src/core/deadline.ts)
  clock_started_on date,
  clock_limit_days int,
  clock_extension_days int not null default 0,
  clock_paused_on date,
  clock_paused_days int not null default 0,
  due_on date,
  correction_requested boolean not null default false,
  correction_due_on date,
  consultation_due_on date,
  fee_method text check (fee_method in ('per_request', 'per_page')),
  fee_amount numeric(10, 2),
  fee_due_on date,
  outcome text,
  outcome_reason text not null default '',
  escalated_at timestamptz,
  closed_at timestamptz
);
create index info_requests_site_state on info_requests (site_id, state);
create index info_requests_due on info_requests (due_on) where closed_at is null;
create index info_requests_applicant_month on info_requests (id_number_index, submitted_at);

-- Documents sent to the applicant (补正通知书, 延期答复告知书, 告知书 …), generated from templates.
create table info_request_notices (
  id serial primary key,
  request_id int not null references info_requests(id) on delete cascade,
  kind text not null,
  number text not null unique,
  title text not null,
  body_html text not null,
  created_by int references users(id),
  created_at timestamptz not null default now()
);

-- 告知书 numbers run per organ and year: 〔2026〕第12号.
create table notice_counters (
  site_id int not null references sites(id),
  year int not null,
  last int not null,
  primary key (site_id, year)
);
