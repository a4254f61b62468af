-- 政务服务: the service catalogue (办事指南), 一件事一次办 bundles, online applications on the
-- working-day clock, electronic licences, 好差评; and the site inbox every module can use.

create table service_items (
  id serial primary key,
  ref text unique,
  code text not null unique,
  name text not null,
  type text not null,
  audience text not null check (audience in ('个人', '法人', 'both')),
  department_id int not null references departments(id),
  -- the department site whose administrators maintain the item and whose officers handle its cases
  site_id int not null references sites(id),
  legal_basis jsonb not null default '[]',
  conditions jsonb not null default '[]',
  materials jsonb not null default '[]',
  process jsonb not null default '[]',
  statutory_days int not null check (statutory_days >= 0),
  promised_days int not null check (promised_days >= 0),
  time_limit_note text not null default '',
  fee_charged boolean not null default false,
  fee_standard text not null default '',
  fee_basis text not null default '',
  locations jsonb not null default '[]',
  hours text not null default '',
  consult_phone text not null default '',
  supervise_phone text not null default '',
  online_level text not null check (online_level in ('全程网办', '部分网办', '窗口办理')),
  life_events jsonb not null default '[]',
  outputs jsonb not null default '[]',
  -- the result is an electronic licence of this name (电子证照), issued on 办结
  licence_name text not null default '',
  faqs jsonb not null default '[]',
  form_fields jsonb not null default '[]',
  related_policies jsonb not null default '[]',
  visible boolean not null default true,
  version int not null default 1,
  updated_at timestamptz not null default now()
);
create index service_items_department on service_items (department_id);

-- Every saved state of an item's guide (事项 data model is versioned).
create table service_item_versions (
  id serial primary key,
  item_id int not null references service_items(id) on delete cascade,
  version int not null,
  data jsonb not null,
  saved_by int references users(id),
  saved_at timestamptz not null default now(),
  unique (item_id, version)
);

create table service_bundles (
  id serial primary key,
  ref text unique,
  name text not null,
  description text not null default '',
  audience text not null check (audience in ('个人', '法人', 'both')),
  lead_department_id int references departments(id),
  entry text not null default '',
  online_level text not null default '全程网办',
  promised_days int not null default 0,
  -- [{name, form, count, note, condition, usedBy: [item code]}]
  merged_materials jsonb not null default '[]',
  shared_materials jsonb not null default '[]',
  material_count_before int not null default 0
);

create table service_bundle_members (
  bundle_id int not null references service_bundles(id) on delete cascade,
  item_id int not null references service_items(id),
  position int not null,
  optional boolean not null default false,
  primary key (bundle_id, item_id)
);

-- One submission of a bundle; its member applications point here.
create table bundle_applications (
  id serial primary key,
  number text not null unique,
  bundle_id int not null references service_bundles(id),
  citizen_id int not null references users(id),
  phone_index bytea not null,
  submitted_at timestamptz not null default now()
);

create table service_applications (
  id serial primary key,
  number text not null unique,
  item_id int not null references service_items(id),
  site_id int not null references sites(id),
  bundle_application_id int references bundle_applications(id),
  citizen_id int not null references users(id),
  applicant_name text not null,
  phone_enc bytea not null,
  -- lets anyone with the number and the phone look the case up, without storing the phone in clear
  phone_index bytea not null,
  phone_masked text not null,
  -- the form as filled; fields of kind id/phone/address are stored encrypted under "enc"
  form_data jsonb not null default '{}',
  state text not null,
  submitted_at timestamptz not null default now(),
  accepted_on date,
  clock_started_on date,
  clock_limit_days int,
  clock_extension_days int not null default 0,
  clock_paused_on date,
  clock_paused_days int not null default 0,
  due_on date,
  correction_items text not null default '',
  outcome text check (outcome in ('approved', 'denied')),
  outcome_reason text not null default '',
  warned_at timestamptz,
  escalated_at timestamptz,
  closed_at timestamptz
);
create index service_applications_citizen on service_applications (citizen_id);
create index service_applications_site_state on service_applications (site_id, state);
create index service_applications_due on service_applications (due_on) where closed_at is null;

create table service_application_files (
  id serial primary key,
  application_id int not null references service_applications(id) on delete cascade,
  -- the material it answers (by position in the item's list and by name), or a result document
  material text not null,
  purpose text not null check (purpose in ('material', 'result')),
  filename text not null default '',
  mime text not null default '',
  size int not null default 0,
  sha256 text not null default '',
  storage_key text not null default '',
  -- 免提交: satisfied by a licence the applicant already holds instead of an upload
  licence_id int,
  created_at timestamptz not null default now()
);
create index service_application_files_app on service_application_files (application_id);

-- 电子证照: signed by the platform (Ed25519); the signature covers the canonical payload.
create table licences (
  id serial primary key,
  number text not null unique,
  name text not null,
  holder_id int not null references users(id),
  holder_name text not null,
  item_id int references service_items(id),
  application_id int references service_applications(id),
  issuer text not null,
  issued_on date not null,
  payload text not null,
  signature bytea not null,
  status text not null default 'valid' check (status in ('valid', 'revoked')),
  revoked_at timestamptz,
  revoke_reason text not null default ''
);
create index licences_holder on licences (holder_id);
alter table service_application_files
  add constraint service_application_files_licence foreign key (licence_id) references licences(id);

-- 好差评: one rating per case (一事一评) on the national online dimensions.
create table service_ratings (
  id serial primary key,
  application_id int not null unique references service_applications(id),
  item_id int not null references service_items(id),
  department_id int not null references departments(id),
  site_id int not null references sites(id),
  citizen_id int not null references users(id),
  score int not null check (score between 1 and 5),
  dimensions jsonb not null default '{}',
  comment text not null default '',
  created_at timestamptz not null default now()
);
create index service_ratings_item on service_ratings (item_id);

-- A 差评 opens a follow-up that must be closed with a recorded response before its due day.
create table rating_followups (
  id serial primary key,
  rating_id int not null unique references service_ratings(id),
  site_id int not null references sites(id),
  due_on date not null,
  state text not null default 'open' check (state in ('open', 'closed')),
  handling text not null default '',
  response text not null default '',
  closed_by int references users(id),
  closed_at timestamptz
);

-- The site inbox (站内消息), shared by every module through src/core/inbox.ts.
create table inbox_messages (
  id serial primary key,
  user_id int not null references users(id),
  title text not null,
  body text not null default '',
  link text not null default '',
  created_at timestamptz not null default now(),
  read_at timestamptz
);
create index inbox_messages_user on inbox_messages (user_id, id desc);

-- What the outbound channels (SMS, e-mail) were asked to send; the log adapter writes here.
create table outbound_messages (
  id serial primary key,
  channel text not null,
  user_id int references users(id),
  recipient_masked text not null default '',
  title text not null,
  body text not null default '',
  created_at timestamptz not null default now()
);
