-- 政民互动: 民意征集 (consultations on a draft, section by section) and the moderation both
-- consultations and later interviews share: an editable sensitive-word list.

create table moderation_words (
  word text primary key check (length(word) between 1 and 20),
  created_by int references users(id),
  created_at timestamptz not null default now()
);

create table consultations (
  id serial primary key,
  site_id int not null references sites(id),
  title text not null,
  summary text not null default '',
  opens_on date not null,
  closes_on date not null,
  published_at timestamptz,
  -- 意见采纳情况, published after the consultation closes
  adoption_report text not null default '',
  adoption_published_at timestamptz,
  created_by int references users(id),
  created_at timestamptz not null default now(),
  check (closes_on >= opens_on)
);
create index consultations_site on consultations (site_id, opens_on desc);

create table consultation_sections (
  id serial primary key,
  consultation_id int not null references consultations(id) on delete cascade,
  position int not null,
  heading text not null,
  body text not null default '',
  unique (consultation_id, position)
);

create table consultation_comments (
  id serial primary key,
  consultation_id int not null references consultations(id) on delete cascade,
  section_id int references consultation_sections(id) on delete cascade,
  citizen_id int not null references users(id),
  body text not null,
  -- visible: shown at once; held: matched a sensitive word, waits for a moderator; rejected: removed with a reason
  status text not null check (status in ('visible', 'held', 'rejected')),
  held_words text[] not null default '{}',
  reject_reason text not null default '',
  moderated_by int references users(id),
  moderated_at timestamptz,
  created_at timestamptz not null default now()
);
create index consultation_comments_status on consultation_comments (status, created_at);
create unique index consultation_comments_once on consultation_comments (consultation_id, citizen_id, md5(body));

-- One stance per citizen per section; changing it replaces the earlier one.
create table consultation_votes (
  section_id int not null references consultation_sections(id) on delete cascade,
  citizen_id int not null references users(id),
  stance text not null check (stance in ('support', 'oppose')),
  created_at timestamptz not null default now(),
  primary key (section_id, citizen_id)
);
