-- Foundation: departments, sites, columns (栏目), documents with versions and review, users, grants, sessions.

create table departments (
  id serial primary key,
  ref text unique,
  name text not null unique,
  short_name text not null,
  category text not null default '',
  duties text not null default '',
  phone text not null default '',
  address text not null default '',
  created_at timestamptz not null default now()
);

create table sites (
  id serial primary key,
  ref text unique,
  -- short code used in paths (/sites/rsj/) and as the sub-domain label
  code text not null unique check (code ~ '^[a-z][a-z0-9-]{1,30}$'),
  name text not null,
  kind text not null check (kind in ('portal', 'department', 'topic')),
  department_id int references departments(id),
  -- host name that serves this site at "/" (host-based routing), e.g. rsj.qinghe.gov.cn
  host text unique,
  -- national page elements: 标识码, ICP, 公安备案, 主办单位, 联系方式, domain, description
  settings jsonb not null default '{}',
  position int not null default 0,
  created_at timestamptz not null default now()
);
create unique index sites_single_portal on sites ((kind)) where kind = 'portal';

create table columns (
  id serial primary key,
  site_id int not null references sites(id) on delete cascade,
  parent_id int references columns(id) on delete restrict,
  ref text unique,
  slug text not null check (slug ~ '^[a-z0-9][a-z0-9-]{0,40}$'),
  name text not null,
  type text not null check (type in ('list', 'single', 'link', 'catalog')),
  -- national ColumnType (首页, 工作动态, 政策文件 ...), emitted as <meta name="ColumnType">
  column_type text not null default '',
  description text not null default '',
  keywords text not null default '',
  link_url text,
  update_days int check (update_days > 0),
  -- review chain: 0 to 3 named steps, e.g. {科室初审,分管领导复审,办公室终审}
  review_steps text[] not null default '{}' check (cardinality(review_steps) <= 3),
  position int not null default 0,
  in_nav boolean not null default true,
  created_at timestamptz not null default now(),
  unique (site_id, slug),
  check (type <> 'link' or link_url is not null)
);
create index columns_site_parent on columns (site_id, parent_id, position);

create table users (
  id serial primary key,
  kind text not null check (kind in ('staff', 'citizen')),
  username text unique check (username ~ '^[A-Za-z0-9_.-]{3,40}$'),
  display_name text not null,
  -- citizens' phone numbers: encrypted value plus a keyed blind index for lookup
  phone_enc bytea,
  phone_index bytea unique,
  phone_masked text,
  department_id int references departments(id),
  password_hash text not null,
  status text not null default 'active' check (status in ('active', 'disabled')),
  created_at timestamptz not null default now(),
  last_login_at timestamptz,
  check ((kind = 'staff' and username is not null) or (kind = 'citizen' and phone_index is not null))
);

-- A grant gives one role, scoped to all sites (site_id null), one site, or one column of a site.
create table grants (
  id serial primary key,
  user_id int not null references users(id) on delete cascade,
  role text not null check (role in ('sysadmin', 'site_admin', 'editor', 'reviewer')),
  site_id int references sites(id) on delete cascade,
  column_id int references columns(id) on delete cascade,
  -- for reviewers: which step of the chain (1..3) they may decide
  review_level int check (review_level between 1 and 3),
  created_at timestamptz not null default now(),
  check (column_id is null or site_id is not null),
  check ((role = 'reviewer') = (review_level is not null))
);
create unique index grants_unique on grants (user_id, role, coalesce(site_id, 0), coalesce(column_id, 0), coalesce(review_level, 0));

create table sessions (
  -- sha256 of the cookie token, so a leaked table does not leak live sessions
  id bytea primary key,
  user_id int not null references users(id) on delete cascade,
  created_at timestamptz not null default now(),
  last_seen_at timestamptz not null default now(),
  ip text not null default '',
  user_agent text not null default ''
);
create index sessions_user on sessions (user_id);

create table documents (
  id serial primary key,
  ref text unique,
  type text not null check (type in ('news', 'notice', 'policy', 'interpretation', 'page')),
  site_id int not null references sites(id),
  department_id int references departments(id),
  created_by int references users(id),
  created_at timestamptz not null default now(),
  -- the approved version currently public (null: never published or withdrawn)
  live_version_id int,
  first_published_at timestamptz,
  live_changed_at timestamptz,
  withdrawn_at timestamptz,
  withdrawn_reason text
);

create table document_versions (
  id serial primary key,
  document_id int not null references documents(id) on delete cascade,
  number int not null,
  title text not null,
  summary text not null default '',
  body_html text not null default '',
  metadata jsonb not null default '{}',
  attachment_ids int[] not null default '{}',
  author_id int references users(id),
  created_at timestamptz not null default now(),
  status text not null default 'draft'
    check (status in ('draft', 'in_review', 'approved', 'rejected', 'superseded')),
  -- index into the review chain of the step now deciding (1-based) while in_review
  review_level int,
  -- when an approved version goes live; future = scheduled
  publish_at timestamptz,
  submitted_at timestamptz,
  approved_at timestamptz,
  unique (document_id, number)
);
alter table documents add constraint documents_live_version
  foreign key (live_version_id) references document_versions(id);
create index document_versions_due on document_versions (publish_at) where status = 'approved';

-- The primary placement is the column that owns the document; others are references (引用) in
-- columns of the same or other sites: the document is stored once.
create table placements (
  document_id int not null references documents(id) on delete cascade,
  column_id int not null references columns(id) on delete cascade,
  is_primary boolean not null default false,
  placed_by int references users(id),
  placed_at timestamptz not null default now(),
  primary key (document_id, column_id)
);
create unique index placements_one_primary on placements (document_id) where is_primary;
create index placements_column on placements (column_id);

create table attachments (
  id serial primary key,
  document_id int not null references documents(id) on delete cascade,
  filename text not null,
  mime text not null,
  size int not null,
  sha256 text not null,
  storage_key text not null,
  uploaded_by int references users(id),
  created_at timestamptz not null default now()
);

create table review_decisions (
  id serial primary key,
  version_id int not null references document_versions(id) on delete cascade,
  level int not null,
  step_name text not null,
  decision text not null check (decision in ('approve', 'reject')),
  comment text not null default '',
  reviewer_id int not null references users(id),
  created_at timestamptz not null default now()
);

-- One event history for every workflow (editorial review now; letters and applications later).
create table workflow_events (
  id bigserial primary key,
  subject_type text not null,
  subject_id int not null,
  action text not null,
  from_state text,
  to_state text not null,
  actor_id int references users(id),
  comment text not null default '',
  created_at timestamptz not null default now()
);
create index workflow_events_subject on workflow_events (subject_type, subject_id, id);

-- Platform-wide facts such as "the demo city was imported".
create table app_state (
  key text primary key,
  value jsonb not null,
  updated_at timestamptz not null default now()
);
