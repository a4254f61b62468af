-- 政策计算器 / 免申即享: staff-maintained rules matching a person's or business's attributes to the
-- policies and services they qualify for.
create table policy_rules (
  id serial primary key,
  ref text unique,
  name text not null,
  audience text not null check (audience in ('个人', '法人')),
  -- the department site whose administrators maintain the rule
  site_id int not null references sites(id),
  benefit text not null,
  -- [{attr, op, value}], all of which must hold
  conditions jsonb not null default '[]',
  policy_ref text not null default '',
  item_id int references service_items(id),
  -- 免申即享: granted without an application once the data match
  automatic boolean not null default false,
  active boolean not null default true,
  updated_at timestamptz not null default now()
);
