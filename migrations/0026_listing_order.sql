-- Lists and home pages read a column's or a site's newest public documents. At a million documents
-- joining documents and versions and sorting them per request costs time proportional to the
-- column; instead each placement carries its site, whether its document is live and the date lists
-- sort by, kept by triggers, so a list page is an index range scan whatever the corpus size.

alter table placements
  add column site_id int,
  add column live boolean not null default false,
  add column published_at timestamptz;

update placements p set site_id = c.site_id from columns c where c.id = p.column_id;
update placements p set live = d.live_version_id is not null, published_at = d.first_published_at
  from documents d where d.id = p.document_id;
alter table placements alter column site_id set not null;

create function placements_fill() returns trigger language plpgsql as $$
begin
  select c.site_id into new.site_id from columns c where c.id = new.column_id;
  select d.live_version_id is not null, d.first_published_at into new.live, new.published_at
    from documents d where d.id = new.document_id;
  return new;
end $$;
create trigger placements_fill before insert or update of column_id, document_id on placements
  for each row execute function placements_fill();

create function documents_listing_sync() returns trigger language plpgsql as $$
begin
  update placements set live = new.live_version_id is not null, published_at = new.first_published_at
    where document_id = new.id
      and (live, published_at) is distinct from (new.live_version_id is not null, new.first_published_at);
  return null;
end $$;
create trigger documents_listing_sync after update of live_version_id, first_published_at on documents
  for each row execute function documents_listing_sync();

create function columns_listing_sync() returns trigger language plpgsql as $$
begin
  update placements set site_id = new.site_id where column_id = new.id;
  return null;
end $$;
create trigger columns_listing_sync after update of site_id on columns
  for each row when (old.site_id is distinct from new.site_id) execute function columns_listing_sync();

create index placements_column_listing on placements (column_id, published_at desc, document_id desc)
  where live;
create index placements_site_listing on placements (site_id, published_at desc, document_id desc)
  where live;

-- An article page looks up its typed links (解读 → 政策, 政策 → 替代文件) in the versions' metadata.
create index document_versions_policy_ref on document_versions ((metadata->>'policy_ref'))
  where (metadata->>'policy_ref') is not null;
create index document_versions_replaced_by on document_versions ((metadata->>'replaced_by'))
  where (metadata->>'replaced_by') is not null;

-- The scheduler looks for approved versions whose time has come and that have not gone live yet.
-- Live versions stay 'approved', so without a mark the index held every live version in the city.
alter table document_versions add column went_live_at timestamptz;
update document_versions v set went_live_at = coalesce(d.live_changed_at, v.approved_at, now())
  from documents d where d.live_version_id = v.id;
-- a withdrawn document's last version is no longer waiting to be published
update document_versions v set status = 'superseded'
  from documents d where d.id = v.document_id and d.live_version_id is null and d.withdrawn_at is not null
    and v.status = 'approved';
drop index document_versions_due;
create index document_versions_due on document_versions (publish_at)
  where status = 'approved' and went_live_at is null;
