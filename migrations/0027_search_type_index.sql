-- 站内搜索 at scale: the primary sources (办事指南, 解读, 问答) are ranked with the newest matches of
-- a common word however old they are, and facet counts of a rare type are taken from that type's
-- records; both read them by type instead of through the word's whole index entry.
create index search_records_type on search_records (type);
