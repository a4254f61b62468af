-- 站内搜索 speed: keep the index table's rows narrow. Ranking reads the title and its vector of
-- every candidate, so those stay in the row (storage main); the body and the body's vector, read
-- only for the ten shown (body) or for the body tiers (vector), move out of line once a row
-- passes 256 bytes. Rows written before this keep their layout until the next 重建索引.
alter table search_records set (toast_tuple_target = 256);
alter table search_records
  alter column title set storage main,
  alter column title_tsv set storage main,
  alter column url set storage main;
