-- Sign-in security (GB/T 22239-2019 三级 身份鉴别): lockout, password history and expiry, TOTP
-- with recovery codes, and sessions that are only half-open until the second factor is given.

-- kept apart from users so that a failed sign-in writes nothing to the account itself
create table login_failures (
  user_id int primary key references users(id) on delete cascade,
  -- failures in a row since the last success or lock
  failures int not null default 0,
  locked_until timestamptz
);

alter table users
  add column password_changed_at timestamptz not null default now(),
  -- the TOTP secret, encrypted with the field key; enabled once a first code was confirmed
  add column totp_secret_enc bytea,
  add column totp_enabled_at timestamptz,
  -- the last time step accepted, so a code cannot be replayed
  add column totp_last_step bigint;

create table password_history (
  id serial primary key,
  user_id int not null references users(id) on delete cascade,
  password_hash text not null,
  created_at timestamptz not null default now()
);
create index password_history_user on password_history (user_id, created_at desc);

create table recovery_codes (
  id serial primary key,
  user_id int not null references users(id) on delete cascade,
  -- sha256 of a random code with 60 bits of entropy
  code_hash bytea not null,
  used_at timestamptz,
  unique (user_id, code_hash)
);

-- full: signed in; mfa: password given, code due; enrol: must bind TOTP first; password: must
-- replace an expired password first. Only full sessions carry an actor.
alter table sessions add column stage text not null default 'full'
  check (stage in ('full', 'mfa', 'enrol', 'password'));
