-- 政民互动: 调查问卷. Questions are single choice, multiple choice, text, rating (1–5) or a matrix
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
