-- Citizens signing in through an external identity provider (OpenID Connect), and PIPL consents.

-- A citizen may now sign in by phone or through a linked identity, so the phone is no longer
-- required of every citizen account.
alter table users drop constraint users_check;
alter table users add constraint users_sign_in_check
  check ((kind = 'staff' and username is not null) or kind = 'citizen');

-- An external identity (issuer + subject) linked to one citizen account.
create table identity_links (
  id serial primary key,
  user_id int not null references users(id) on delete cascade,
  issuer text not null,
  subject text not null,
  -- the provider's display name when linked, so the link reads the same after reconfiguration
  provider_name text not null,
  linked_at timestamptz not null default now(),
  last_used_at timestamptz,
  unique (issuer, subject)
);
create index identity_links_user on identity_links (user_id);

-- Authorization requests under way: state, nonce and PKCE verifier, bound to the browser by a
-- cookie holding the token whose hash is the id; single use, short-lived.
create table oidc_requests (
  id bytea primary key,
  state text not null,
  nonce text not null,
  code_verifier text not null,
  -- set when a signed-in citizen asked to link; null for sign-in
  user_id int references users(id) on delete cascade,
  next text not null default '/account',
  created_at timestamptz not null default now(),
  expires_at timestamptz not null
);

-- What a citizen consented to, under which version of the notice, and when it was withdrawn.
-- A withdrawal closes the row; consenting again opens a new one, so the history stays.
create table consents (
  id serial primary key,
  user_id int not null references users(id) on delete cascade,
  purpose text not null,
  notice_version text not null,
  granted_at timestamptz not null default now(),
  withdrawn_at timestamptz,
  ip text not null default ''
);
create unique index consents_one_open on consents (user_id, purpose) where withdrawn_at is null;

-- Citizens registered before consents were recorded accepted the first notice, which named
-- sign-in and case notifications as the uses of the phone.
insert into consents (user_id, purpose, notice_version, granted_at)
  select id, purpose, '1', created_at
  from users cross join (values ('privacy_notice'), ('sms_notifications')) as p(purpose)
  where kind = 'citizen' and status = 'active';
