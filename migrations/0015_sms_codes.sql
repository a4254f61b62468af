-- Citizens' one-time sign-in codes by SMS: a keyed hash of the code, never the code itself.
create table sms_codes (
  id serial primary key,
  -- the phone's blind index (as users.phone_index), so codes are found without storing the number
  phone_index bytea not null,
  code_hash bytea not null,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  attempts int not null default 0,
  used_at timestamptz,
  ip text not null default ''
);
create index sms_codes_phone on sms_codes (phone_index, created_at desc);
