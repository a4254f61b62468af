-- 政民互动: letters to 市长信箱 and department mailboxes, handled in a closed loop
-- (受理—转办—督办—反馈—评价). See src/modules/interaction/letters.ts.

-- Time limits per letter type: 受理 in working hours, 办理 and 反馈 in working days.
create table letter_slas (
  type text primary key check (type in ('咨询', '投诉', '建议', '求助')),
  accept_hours int not null check (accept_hours between 1 and 80),
  handle_days int not null check (handle_days between 1 and 60),
  reply_days int not null check (reply_days between 1 and 60),
  updated_at timestamptz not null default now(),
  check (handle_days <= reply_days)
);
insert into letter_slas (type, accept_hours, handle_days, reply_days) values
  ('咨询', 1, 3, 7), ('投诉', 1, 3, 7), ('建议', 1, 3, 7), ('求助', 1, 3, 7);

-- What each department handles, in words citizens use; the routing suggestion weighs these.
create table letter_routing_terms (
  department_id int primary key references departments(id) on delete cascade,
  terms text not null default '',
  updated_at timestamptz not null default now()
);

create table letters (
  id serial primary key,
  -- corpus id of imported letters (let-001 …)
  ref text unique,
  -- shown to the writer; with the query code it opens the letter without an account
  tracking_no text not null unique,
  query_code_hash bytea not null,
  -- where it was written: 市长信箱 is the portal's mailbox, others a department site's
  mailbox_site_id int not null references sites(id),
  -- who answers it: the mailbox's own office once accepted, the department after 转办
  handling_site_id int references sites(id),
  citizen_id int references users(id),
  type text not null check (type in ('咨询', '投诉', '建议', '求助')),
  title text not null,
  body text not null,
  contact_name_enc bytea not null,
  contact_name_masked text not null,
  phone_enc bytea not null,
  -- keyed blind index of the phone, to spot the same letter sent twice
  phone_index bytea,
  phone_masked text not null,
  email_enc bytea,
  publish_consent boolean not null default false,
  -- departments suggested from the text at submission, best first
  suggestions jsonb not null default '[]',
  state text not null,
  submitted_at timestamptz not null default now(),
  accept_due_at timestamptz,
  accepted_at timestamptz,
  reject_reason text not null default '',
  -- the reply clock (src/core/deadline.ts): 办理 by the department, 反馈 to the writer
  clock_started_on date,
  clock_limit_days int,
  handle_due_on date,
  reply_due_on date,
  -- the first round's 答复期限, which the on-time rate is judged by
  first_reply_due_on date,
  first_replied_at timestamptz,
  reopened boolean not null default false,
  escalated_at timestamptz,
  alarmed_at timestamptz,
  closed_at timestamptz,
  published_at timestamptz
);
create index letters_state on letters (state);
create index letters_handling on letters (handling_site_id, state);
create index letters_published on letters (published_at) where published_at is not null;
create index letters_duplicates on letters (phone_index, submitted_at);

create table letter_attachments (
  id serial primary key,
  letter_id int not null references letters(id) on delete cascade,
  filename text not null,
  mime text not null,
  size int not null,
  sha256 text not null,
  storage_key text not null,
  created_at timestamptz not null default now()
);

-- Each answer drafted by the handling office, reviewed before it is sent; a 重办 adds round 2.
create table letter_replies (
  id serial primary key,
  letter_id int not null references letters(id) on delete cascade,
  round int not null check (round in (1, 2)),
  site_id int not null references sites(id),
  body text not null,
  status text not null check (status in ('in_review', 'returned', 'sent')),
  drafted_by int references users(id),
  reviewed_by int references users(id),
  review_comment text not null default '',
  created_at timestamptz not null default now(),
  sent_at timestamptz,
  rating text check (rating in ('非常满意', '满意', '基本满意', '不满意')),
  rating_comment text not null default '',
  rated_at timestamptz
);
create index letter_replies_letter on letter_replies (letter_id, id);
