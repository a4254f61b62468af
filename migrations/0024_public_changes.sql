-- The public change feed: one row whenever something a public page shows is published, changed or
-- withdrawn, plus a NOTIFY on channel zhengwu_public_change in the same transaction. Triggers on the
-- tables that feed public pages write it, so no code path can forget. Readers: the render cache of
-- every app process (invalidation) and the static mirror (incremental publishing).

create table public_changes (
  id bigserial primary key,
  -- null: cluster-wide (a site, department, FAQ, calendar day ... shows on every site)
  site_id int,
  -- what changed: document, column, site, service, letter, policy, faq, consultation ...
  kind text not null,
  -- the id of the thing whose page changed (a document, a letter, a consultation ...), when there is one
  ref_id bigint,
  at timestamptz not null default clock_timestamp()
);
create index public_changes_site_at on public_changes (site_id, at);

create function zw_record_public_change(p_site int, p_kind text, p_ref bigint) returns void
language plpgsql as $$
declare
  change public_changes;
begin
  insert into public_changes (site_id, kind, ref_id) values (p_site, p_kind, p_ref) returning * into change;
  perform pg_notify('zhengwu_public_change', json_build_object(
    'id', change.id, 'siteId', change.site_id, 'kind', change.kind, 'refId', change.ref_id,
    'at', change.at)::text);
end $$;

-- Row trigger. Arguments: kind, then where the site and the page's id come from:
--   ('column', 'id', 'site_id')            site from a column of the row (several: 'a,b'); '' = cluster-wide
--   ('consultation', $q$select ...$q$)     a query over $1 (the row as jsonb) returning (site_id, ref_id) rows
-- A bulk loader may `set local zhengwu.quiet_public_changes = 'on'` and record one cluster-wide change itself.
create function zw_public_change() returns trigger
language plpgsql as $$
declare
  kind text := tg_argv[0];
  source text := tg_argv[1];
  site_columns text := coalesce(tg_argv[2], '');
  rec jsonb;
  site_column text;
  site int;
  pairs text[] := '{}';
  pair record;
begin
  if current_setting('zhengwu.quiet_public_changes', true) = 'on' then
    return null;
  end if;
  for rec in select r from unnest(case tg_op
      when 'INSERT' then array[to_jsonb(new)]
      when 'DELETE' then array[to_jsonb(old)]
      else array[to_jsonb(new), to_jsonb(old)] end) as r loop
    if source ~* '^\s*select' then
      for pair in execute source using rec loop
        pairs := pairs || (coalesce(pair.site_id::text, '') || ':' || coalesce(pair.ref_id::text, ''));
      end loop;
    else
      site := null;
      foreach site_column in array coalesce(string_to_array(nullif(site_columns, ''), ','), '{}') loop
        if rec ->> site_column is not null then
          site := (rec ->> site_column)::int;
          pairs := pairs || (site || ':' || coalesce(rec ->> source, ''));
        end if;
      end loop;
      if site is null then
        pairs := pairs || (':' || coalesce(rec ->> source, ''));
      end if;
    end if;
  end loop;
  for pair in select distinct split_part(p, ':', 1) as s, split_part(p, ':', 2) as r from unnest(pairs) p loop
    perform zw_record_public_change(nullif(pair.s, '')::int, kind, nullif(pair.r, '')::bigint);
  end loop;
  return null;
end $$;

-- One trigger per table that feeds a public page (checked against every GET route in
-- src/modules/*/routes*.tsx). Updates that change nothing record nothing.
create function zw_watch(p_table text, p_args text, p_when text default null) returns void
language plpgsql as $$
begin
  execute format('create trigger zw_public_change_ins after insert on %I for each row %s execute function zw_public_change(%s)',
    p_table, coalesce('when (' || replace(p_when, 'ROW.', 'new.') || ')', ''), p_args);
  execute format('create trigger zw_public_change_upd after update on %I for each row when (old.* is distinct from new.*%s) execute function zw_public_change(%s)',
    p_table, coalesce(' and (' || replace(p_when, 'ROW.', 'old.') || ' or ' || replace(p_when, 'ROW.', 'new.') || ')', ''), p_args);
  execute format('create trigger zw_public_change_del after delete on %I for each row %s execute function zw_public_change(%s)',
    p_table, coalesce('when (' || replace(p_when, 'ROW.', 'old.') || ')', ''), p_args);
end $$;

-- the site frame (names, 标识码, navigation) and the portal's lists of sites and departments
select zw_watch('sites', $a$'site', 'id', ''$a$);
select zw_watch('departments', $a$'department', 'id', ''$a$);
select zw_watch('columns', $a$'column', 'id', 'site_id'$a$);
-- a document is public only through live_version_id; it shows on its own site and wherever it is
-- referenced (引用). A deleted document's references are gone already: cluster-wide then.
select zw_watch('documents', $a$'document', $q$
  select ($1 ->> 'site_id')::int as site_id, ($1 ->> 'id')::bigint as ref_id
    where exists (select 1 from documents where id = ($1 ->> 'id')::int)
  union select null, ($1 ->> 'id')::bigint
    where not exists (select 1 from documents where id = ($1 ->> 'id')::int)
  union select c.site_id, p.document_id from placements p join columns c on c.id = p.column_id
    where p.document_id = ($1 ->> 'id')::int$q$$a$, 'ROW.live_version_id is not null');
select zw_watch('placements', $a$'document', $q$
  select c.site_id, d.id::bigint as ref_id from documents d join columns c on c.id = ($1 ->> 'column_id')::int
    where d.id = ($1 ->> 'document_id')::int and d.live_version_id is not null$q$$a$);
-- 政府信息公开: budgets, key projects, annual reports
select zw_watch('budget_reports', $a$'budget', 'id', 'site_id'$a$);
select zw_watch('budget_lines', $a$'budget', $q$
  select site_id, id::bigint as ref_id from budget_reports where id = ($1 ->> 'report_id')::int$q$$a$);
select zw_watch('projects', $a$'project', 'id', 'site_id'$a$);
select zw_watch('project_milestones', $a$'project', $q$
  select site_id, id::bigint as ref_id from projects where id = ($1 ->> 'project_id')::int$q$$a$);
select zw_watch('annual_reports', $a$'annual_report', 'id', 'site_id'$a$);
-- 政务服务: guides (site_id null: every site), bundles, 好差评 statistics, licence verification, 政策计算器
select zw_watch('service_items', $a$'service', 'id', 'site_id'$a$);
select zw_watch('service_bundles', $a$'bundle', 'id', ''$a$);
select zw_watch('service_bundle_members', $a$'bundle', 'bundle_id', ''$a$);
select zw_watch('service_ratings', $a$'rating', 'item_id', 'site_id'$a$);
select zw_watch('licences', $a$'licence', 'id', ''$a$);
select zw_watch('policy_rules', $a$'policy', 'id', 'site_id'$a$);
-- 政民互动: letters (public list, replies, statistics), consultations, surveys, interviews
select zw_watch('letters', $a$'letter', 'id', 'mailbox_site_id,handling_site_id'$a$);
select zw_watch('letter_replies', $a$'letter', $q$
  select s as site_id, l.id::bigint as ref_id
    from letters l, unnest(array[l.mailbox_site_id, l.handling_site_id, ($1 ->> 'site_id')::int]) s
    where l.id = ($1 ->> 'letter_id')::int and s is not null$q$$a$);
select zw_watch('letter_slas', $a$'letter_sla', 'nothing', ''$a$);
select zw_watch('consultations', $a$'consultation', 'id', 'site_id'$a$);
select zw_watch('consultation_sections', $a$'consultation', $q$
  select site_id, id::bigint as ref_id from consultations where id = ($1 ->> 'consultation_id')::int$q$$a$);
select zw_watch('consultation_comments', $a$'consultation', $q$
  select site_id, id::bigint as ref_id from consultations where id = ($1 ->> 'consultation_id')::int$q$$a$);
select zw_watch('consultation_votes', $a$'consultation', $q$
  select c.site_id, c.id::bigint as ref_id from consultation_sections s join consultations c on c.id = s.consultation_id
    where s.id = ($1 ->> 'section_id')::int$q$$a$);
select zw_watch('surveys', $a$'survey', 'id', 'site_id'$a$);
select zw_watch('survey_questions', $a$'survey', $q$
  select site_id, id::bigint as ref_id from surveys where id = ($1 ->> 'survey_id')::int$q$$a$);
select zw_watch('survey_responses', $a$'survey', $q$
  select site_id, id::bigint as ref_id from surveys where id = ($1 ->> 'survey_id')::int$q$$a$);
select zw_watch('interviews', $a$'interview', 'id', 'site_id'$a$);
select zw_watch('interview_questions', $a$'interview', $q$
  select site_id, id::bigint as ref_id from interviews where id = ($1 ->> 'interview_id')::int$q$$a$);
select zw_watch('interview_entries', $a$'interview', $q$
  select site_id, id::bigint as ref_id from interviews where id = ($1 ->> 'interview_id')::int$q$$a$);
select zw_watch('interview_photos', $a$'interview', $q$
  select site_id, id::bigint as ref_id from interviews where id = ($1 ->> 'interview_id')::int$q$$a$);
-- platform-wide: FAQs (智能问答), working-day calendar (deadlines shown), masked words, hot search words
select zw_watch('faqs', $a$'faq', 'id', ''$a$);
select zw_watch('calendar_days', $a$'calendar', 'nothing', ''$a$);
select zw_watch('moderation_words', $a$'moderation', 'nothing', ''$a$);
select zw_watch('search_hot_words', $a$'search', 'id', ''$a$);

drop function zw_watch(text, text, text);
