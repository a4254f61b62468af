-- 政民互动: 调查问卷 and 在线访谈. Survey questions are single choice, multiple choice, text, rating (1–5) or a matrix
-- (rows × one column each); a single-choice option may skip ahead (simple skip logic).

create table surveys (
  id serial primary key,
  site_id int not null references sites(id),
  title text not null,
  intro text not null default '',
  opens_on date not null,
  closes_on date not null,
  -- 'account': one response per citizen account; 'browser': anonymous, one per browser (cookie)
  response_rule text not null check (response_rule in ('account', 'browser')),
  results_public boolean not null default true,
  -- the questions as staff wrote them (see surveys.ts parseQuestions), kept for editing
  source text not null,
  published_at timestamptz,
  created_by int references users(id),
  created_at timestamptz not null default now(),
  check (closes_on >= opens_on)
);

create table survey_questions (
  id serial primary key,
  survey_id int not null references surveys(id) on delete cascade,
  position int not null,
  kind text not null check (kind in ('single', 'multiple', 'text', 'rating', 'matrix')),
  prompt text not null,
  required boolean not null default false,
  options text[] not null default '{}',
  -- matrix rows
  rows text[] not null default '{}',
  -- per option of a single-choice question: the position to skip to (null = next question)
  jumps int[] not null default '{}',
  unique (survey_id, position)
);

create table survey_responses (
  id serial primary key,
  survey_id int not null references surveys(id) on delete cascade,
  citizen_id int references users(id),
  browser_hash bytea,
  -- { "<question id>": answer } with answers as option indexes, text or { "<row>": column }
  answers jsonb not null,
  created_at timestamptz not null default now(),
  unique (survey_id, citizen_id),
  unique (survey_id, browser_hash),
  check (citizen_id is not null or browser_hash is not null)
);

-- 在线访谈: a scheduled interview; the public sends questions (moderated), hosts publish questions
-- with answers and remarks live; afterwards the transcript, photos and video link stay as a page.
create table interviews (
  id serial primary key,
  site_id int not null references sites(id),
  title text not null,
  topic text not null default '',
  guests text not null default '',
  scheduled_at timestamptz not null,
  started_at timestamptz,
  ended_at timestamptz,
  video_url text not null default '',
  published_at timestamptz,
  created_by int references users(id),
  created_at timestamptz not null default now()
);

create table interview_questions (
  id serial primary key,
  interview_id int not null references interviews(id) on delete cascade,
  citizen_id int references users(id),
  nickname text not null,
  body text not null,
  -- pending: waits for the host; answered: published with its answer; rejected: never shown
  status text not null check (status in ('pending', 'answered', 'rejected')),
  held_words text[] not null default '{}',
  reject_reason text not null default '',
  moderated_by int references users(id),
  created_at timestamptz not null default now()
);

-- The live feed and later the transcript, in the order published.
create table interview_entries (
  id serial primary key,
  interview_id int not null references interviews(id) on delete cascade,
  speaker text not null,
  question text not null default '',
  asker text not null default '',
  body text not null,
  created_by int references users(id),
  created_at timestamptz not null default now()
);
create index interview_entries_feed on interview_entries (interview_id, id);

create table interview_photos (
  id serial primary key,
  interview_id int not null references interviews(id) on delete cascade,
  filename text not null,
  mime text not null,
  size int not null,
  storage_key text not null,
  caption text not null default '',
  created_at timestamptz not null default now()
);
