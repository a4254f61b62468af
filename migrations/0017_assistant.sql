-- 智能问答: the knowledge base (常见问题) and the questions citizens asked.

create table faqs (
  id serial primary key,
  -- corpus id (faq-001) for imported entries
  ref text unique,
  question text not null,
  answer text not null,
  department_id int references departments(id),
  refs text[] not null default '{}',
  tags text[] not null default '{}',
  published boolean not null default true,
  updated_by int references users(id),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table assistant_questions (
  id bigserial primary key,
  question text not null,
  outcome text not null check (outcome in ('answered', 'clarify', 'unknown', 'refused')),
  top_ref text,
  -- 1 helpful, -1 not helpful
  rating smallint check (rating in (-1, 1)),
  resolved_at timestamptz,
  resolved_by int references users(id),
  faq_id int references faqs(id),
  created_at timestamptz not null default now()
);
create index assistant_questions_review on assistant_questions (created_at) where resolved_at is null;
