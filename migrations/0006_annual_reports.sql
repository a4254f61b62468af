-- 政府信息公开工作年度报告 (国办公开办函〔2021〕30号 format), one per site and year.
create table annual_reports (
  id serial primary key,
  site_id int not null references sites(id) on delete cascade,
  year int not null check (year between 2000 and 2100),
  -- the written parts: 一 总体情况, 五 存在的主要问题及改进情况, 六 其他需要报告的事项
  narrative jsonb not null default '{}',
  -- figures the platform does not hold: table 二's decision counts and fee amount, table 四
  manual jsonb not null default '{}',
  document_id int references documents(id),
  updated_by int references users(id),
  updated_at timestamptz not null default now(),
  unique (site_id, year)
);

-- A published annual report is a document of its own type, in the site's 年报 column.
alter table documents drop constraint documents_type_check;
alter table documents add constraint documents_type_check
  check (type in ('news', 'notice', 'policy', 'interpretation', 'page', 'report'));
