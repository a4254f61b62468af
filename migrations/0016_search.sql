-- 站内搜索: one index for the whole cluster, fed by the modules that publish (source registry).

create table search_records (
  id serial primary key,
  source text not null,
  key text not null,
  -- corpus id (pol-003, faq-001, svc-010 ...) where the record came from the demo corpus
  ref text,
  type text not null,
  title text not null,
  body text not null default '',
  url text not null,
  -- the sites the record can be read from (its own and those it is placed in)
  site_ids int[] not null default '{}',
  department text not null default '',
  published_at timestamptz,
  validity text,
  tsv tsvector not null,
  -- title and keywords alone: small, so the first tier (every concept in the title) is found and
  -- ranked from the index without reading the body's vector
  title_tsv tsvector not null,
  updated_at timestamptz not null default now(),
  unique (source, key)
);
create index search_records_tsv on search_records using gin (tsv);
create index search_records_title_tsv on search_records using gin (title_tsv);
create index search_records_sites on search_records using gin (site_ids);
create index search_records_published on search_records (published_at);
create index search_records_ref on search_records (ref);

-- Words seen in titles, with how many records carry them: the lexicon for typo correction,
-- pinyin input and autocomplete.
create table search_terms (
  term text primary key,
  pinyin text not null,
  df int not null default 1
);
create index search_terms_pinyin on search_terms (pinyin);
create index search_terms_prefix on search_terms (term text_pattern_ops);
create index search_terms_pinyin_prefix on search_terms (pinyin text_pattern_ops);

-- 同义词: equivalent (社保=社会保险), related (营业执照~企业登记: the second adds to the first), or
-- replace (公基金→公积金: a common misspelling, corrected before searching).
create table search_synonyms (
  id serial primary key,
  kind text not null check (kind in ('equivalent', 'related', 'replace')),
  words text[] not null check (cardinality(words) >= 2),
  created_at timestamptz not null default now()
);

create table search_hot_words (
  id serial primary key,
  word text not null unique,
  position int not null default 0,
  created_at timestamptz not null default now()
);

create table search_queries (
  id bigserial primary key,
  query text not null,
  corrected text,
  site_id int,
  result_count int not null,
  created_at timestamptz not null default now()
);
create index search_queries_created on search_queries (created_at);

create table search_clicks (
  id bigserial primary key,
  query_id bigint not null references search_queries(id) on delete cascade,
  record_id int not null,
  position int not null,
  created_at timestamptz not null default now()
);
create index search_clicks_query on search_clicks (query_id);

insert into search_synonyms (kind, words) values
  ('equivalent', '{社保,社会保险}'),
  ('equivalent', '{医保,医疗保险,医疗保障}'),
  ('equivalent', '{上户口,落户,户口登记}'),
  ('equivalent', '{门特,门诊慢特病,门诊慢性病,慢特病}'),
  ('equivalent', '{旧改,老旧小区改造}'),
  ('equivalent', '{失业金,失业保险金}'),
  ('equivalent', '{驾照,驾驶证}'),
  ('equivalent', '{残疾证,残疾人证}'),
  ('equivalent', '{低保,最低生活保障}'),
  ('equivalent', '{个税,个人所得税}'),
  ('equivalent', '{出生证,出生医学证明}'),
  ('equivalent', '{养老金,基本养老金}'),
  ('equivalent', '{电动车,电动自行车}'),
  ('related', '{营业执照,企业登记,设立登记,注册公司}'),
  ('related', '{个体户,个体工商户}'),
  ('related', '{开公司,企业开办,开办企业}'),
  ('related', '{社保卡,社会保障卡}'),
  ('related', '{买房,购房}'),
  ('related', '{租房,租赁}'),
  ('related', '{取出来,提取}'),
  ('equivalent', '{老人,老年人}'),
  ('related', '{宝宝,新生儿,婴儿}'),
  ('related', '{刚出生,新生儿}'),
  ('related', '{小孩,孩子,宝宝,子女,儿童}'),
  ('related', '{离职,辞职}'),
  ('related', '{多少钱,收费,费用,花钱,免费,金额,元}'),
  ('related', '{收钱,收费,费用,花钱,免费}'),
  ('related', '{多久,多长时间,时限,工作日}'),
  ('related', '{几天,多长时间,时限,工作日}'),
  ('related', '{房产证,不动产权证书,房产证明}'),
  ('related', '{饭店,饭馆,餐饮}'),
  ('related', '{小饭店,饭馆,餐饮}'),
  ('related', '{小卖部,便利店,食品销售}'),
  ('equivalent', '{慢性病,慢特病}'),
  ('related', '{老板,公司,用人单位}'),
  ('related', '{欠薪,拖欠工资}'),
  ('equivalent', '{户口本,户口簿}'),
  ('related', '{结婚证,结婚登记}'),
  ('related', '{一年级,小学,入学}'),
  ('related', '{上学,入学}'),
  ('related', '{高铁,火车,乘车,急着用}'),
  ('related', '{看病,就医}'),
  ('related', '{外地,异地}'),
  ('related', '{网上,线上,网办,禾易办}'),
  ('related', '{去哪,哪里,地点,窗口}'),
  ('related', '{公交,乘车}'),
  ('related', '{领钱,发放,申领}'),
  ('related', '{补贴,津贴,补助}'),
  ('related', '{手续,办理,流程}'),
  ('related', '{写错,错误,更正,信息错误}'),
  ('related', '{上海,异地}'),
  ('related', '{北京,异地}'),
  ('related', '{广州,异地}'),
  ('related', '{深圳,异地}'),
  ('related', '{外省,异地}'),
  ('related', '{几月份,什么时候,时间}'),
  ('related', '{几号,什么时候,时间}'),
  ('related', '{欠工资,拖欠工资,欠薪}'),
  ('related', '{月工资,工资}'),
  ('related', '{名字,姓名}'),
  ('equivalent', '{出生证明,出生医学证明}'),
  ('replace', '{公基金,公积金}'),
  ('replace', '{社宝卡,社保卡}'),
  ('replace', '{社宝,社保}'),
  ('replace', '{低报,低保}'),
  ('replace', '{体捡,体检}'),
  ('replace', '{执找,执照}'),
  ('replace', '{户扣,户口}');

insert into search_hot_words (word, position) values
  ('社保缴费基数', 1), ('公积金提取', 2), ('新生儿落户', 3), ('居住证', 4),
  ('营业执照', 5), ('异地就医', 6), ('低保标准', 7), ('义务教育招生', 8);
