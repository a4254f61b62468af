-- 政务公开: 财政预决算 (structured budget and final-accounts lines per site and year) and
-- 重大建设项目 (major construction projects with milestones). Amounts are in 万元.

-- One report per site, year and stage (预算 budget / 决算 final accounts). Its lines are replaced
-- as a whole on every save; the report is public only once marked published.
create table budget_reports (
  id serial primary key,
  site_id int not null references sites(id) on delete cascade,
  year int not null check (year between 2000 and 2100),
  stage text not null check (stage in ('budget', 'final')),
  note text not null default '',
  published boolean not null default false,
  published_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  updated_by int references users(id),
  unique (site_id, year, stage)
);

-- fund: general 一般公共预算 (a department's 收支预算), fund 政府性基金预算, sangong 三公经费.
-- Totals are never stored: they are the sums of the lines.
create table budget_lines (
  id serial primary key,
  report_id int not null references budget_reports(id) on delete cascade,
  fund text not null check (fund in ('general', 'fund', 'sangong')),
  direction text not null check (direction in ('income', 'spending')),
  -- 科目编码 of the government revenue/expenditure classification, e.g. 205 教育支出
  code text not null default '' check (code ~ '^([0-9]{3,9})?$'),
  name text not null check (length(name) between 1 and 40),
  amount numeric(14, 2) not null check (amount >= 0),
  position int not null default 0,
  unique (report_id, fund, direction, name),
  check (fund <> 'sangong' or direction = 'spending')
);
create index budget_lines_report on budget_lines (report_id, fund, direction, position);

create table projects (
  id serial primary key,
  ref text unique,
  site_id int not null references sites(id) on delete cascade,
  name text not null check (length(name) between 1 and 100),
  -- 项目单位
  unit text not null,
  location text not null default '',
  status text not null check (status in ('preparing', 'building', 'completed')),
  total_investment numeric(14, 2) not null check (total_investment >= 0),
  -- 年度计划投资 is for plan_year; 已完成投资 is cumulative
  plan_year int not null check (plan_year between 2000 and 2100),
  annual_investment numeric(14, 2) not null default 0 check (annual_investment >= 0),
  completed_investment numeric(14, 2) not null default 0 check (completed_investment >= 0),
  start_date date,
  end_date date,
  description text not null default '',
  published boolean not null default false,
  published_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  updated_by int references users(id),
  check (end_date is null or start_date is null or end_date >= start_date),
  check (completed_investment <= total_investment and annual_investment <= total_investment)
);
create index projects_site on projects (site_id, status);

create table project_milestones (
  id serial primary key,
  project_id int not null references projects(id) on delete cascade,
  date date not null,
  text text not null check (length(text) between 1 and 200),
  position int not null default 0
);
create index project_milestones_project on project_milestones (project_id, date, position);
