import { createRequire } from "node:module";
import { Jieba } from "@node-rs/jieba";
import { pinyin } from "pinyin-pro";

const require = createRequire(import.meta.url);
const { dict } = require("@node-rs/jieba/dict.js") as { dict: Uint8Array };

/**
 * 政务词典: words jieba's general dictionary splits or misses. Kept in code so every process
 * segments the same way; synonyms and hot words are added at runtime from the database.
 */
export const GOVERNMENT_WORDS = [
  "一网通办",
  "跨省通办",
  "一件事一次办",
  "一件事",
  "全程网办",
  "最多跑一次",
  "禾易办",
  "公积金",
  "住房公积金",
  "门特",
  "门诊慢特病",
  "慢特病",
  "上户口",
  "落户",
  "居住证",
  "社保",
  "社保卡",
  "社会保障卡",
  "医保",
  "医保卡",
  "低保",
  "特困",
  "失业金",
  "失业保险金",
  "稳岗补贴",
  "缴费基数",
  "灵活就业",
  "异地就医",
  "备案",
  "旧改",
  "老旧小区改造",
  "加装电梯",
  "带押过户",
  "二手房",
  "不动产登记",
  "营业执照",
  "企业登记",
  "个体工商户",
  "个体户",
  "食品经营许可证",
  "出生医学证明",
  "残疾人证",
  "高龄津贴",
  "养老服务补贴",
  "创业担保贷款",
  "人才购房补贴",
  "义务教育",
  "学区划分",
  "最低工资",
  "充电桩",
  "电动自行车",
  "垃圾分类",
  "营商环境",
  "依申请公开",
  "政府信息公开",
  "市长信箱",
  "12345热线",
  "电子证照",
  "身份证",
  "驾驶证",
  "换领",
  "补领",
  "提取",
  "市民中心",
  "户口本",
  "户口簿",
  "房产证",
  "老年卡",
  "慢性病",
  "新生儿",
  "刚出生",
  "小饭店",
  "小卖部",
  "年检",
  "狗证",
  "出生证明",
  "欠薪",
  "欠工资",
  "拖欠工资",
];

const jieba = Jieba.withDict(dict);
const known = new Set<string>();

/** Adds words to the segmenter (idempotent); high frequency so they win over general splits. */
export function addWords(words: Iterable<string>): void {
  const fresh = [...words].map((w) => w.trim()).filter((w) => w.length > 1 && !known.has(w) && !/\s/.test(w));
  if (!fresh.length) return;
  for (const w of fresh) known.add(w);
  jieba.loadDict(new TextEncoder().encode(fresh.map((w) => `${w} 200000 n`).join("\n")));
}
addWords(GOVERNMENT_WORDS);

const WORD = /[\p{L}\p{N}]/u;

export function normalize(text: string): string {
  return text.normalize("NFKC").toLowerCase().replace(/\s+/g, " ").trim();
}

/** Whether jieba tags the word as a noun (n, nr, ns, nz, vn ...). */
export function isNounLike(word: string): boolean {
  const tags = jieba.tag(word, false);
  return tags.length === 1 && /^(n|vn|nz|ns|nr|nt)/.test(tags[0]?.tag ?? "");
}

const DIGITS: Record<string, number> = {
  零: 0,
  一: 1,
  二: 2,
  两: 2,
  三: 3,
  四: 4,
  五: 5,
  六: 6,
  七: 7,
  八: 8,
  九: 9,
};

function chineseNumber(text: string): number {
  const [tens, ones] = text.includes("十") ? text.split("十") : ["", text];
  const t = text.includes("十") ? (tens ? (DIGITS[tens] ?? 0) : 1) : 0;
  return t * 10 + (ones ? (DIGITS[ones] ?? 0) : 0);
}

/**
 * What a citizen writes in words, as documents write it: 八十岁 → 80岁, 六个月 → 6个月, and
 * 今年/明年/去年 → the year in China now (documents name years, people say 明年).
 */
export function normalizeQuestion(text: string, now = new Date()): string {
  const year = Number(
    new Intl.DateTimeFormat("en", { timeZone: "Asia/Shanghai", year: "numeric" }).format(now),
  );
  return text
    .replace(
      /([一二两三四五六七八九]?十[一二三四五六七八九]?|[一二两三四五六七八九])(?=(岁|年(?!级)|个月|天|周|个工作日|万|元|户))/g,
      (m) => String(chineseNumber(m)),
    )
    .replace(/今年/g, `${year}年`)
    .replace(/明年/g, `${year + 1}年`)
    .replace(/去年/g, `${year - 1}年`);
}

/** Words of a text for the index: search mode, so a compound also yields its parts. */
export function indexTokens(text: string): string[] {
  return jieba.cutForSearch(normalize(text), true).filter((t) => WORD.test(t) && t.trim() === t);
}

/**
 * Words of a query, as the user meant them: dictionary words only (no sub-word expansion, no
 * guessed words, which in colloquial questions are mostly wrong: 刚生, 哪领, 局跑).
 */
export function queryTokens(text: string): string[] {
  return jieba.cut(normalize(text), false).filter((t) => WORD.test(t) && t.trim() === t);
}

/**
 * The parts of a compound word (公积金贷款额度 → 公积金, 贷款额度; 个税汇算 → 个税, 汇算): the fewest
 * dictionary words of two or more characters that spell it; empty when there is no such split.
 */
export function compoundParts(word: string): string[] {
  if (word.length < 4) return [];
  const inside = new Set(jieba.cutAll(word).filter((w) => w.length > 1 && w !== word));
  // best[i]: the shortest split of word.slice(0, i)
  const best: (string[] | undefined)[] = [[]];
  for (let end = 2; end <= word.length; end++) {
    for (let start = Math.max(0, end - 6); start <= end - 2; start++) {
      const head = best[start];
      const piece = word.slice(start, end);
      if (head && inside.has(piece) && (!best[end] || head.length + 1 < (best[end]?.length ?? 0)))
        best[end] = [...head, piece];
    }
  }
  const parts = best[word.length] ?? [];
  return parts.length > 1 ? parts : [];
}

/** Dictionary words and single characters, no guessing of unknown words (HMM off). */
export function dictionaryTokens(text: string): string[] {
  return jieba.cut(normalize(text), false);
}

const pinyinCache = new Map<string, string>();

/** Toneless pinyin without spaces: 公积金 → gongjijin. */
export function toPinyin(text: string): string {
  const cached = pinyinCache.get(text);
  if (cached !== undefined) return cached;
  const value = pinyin(text, { toneType: "none", type: "array", nonZh: "consecutive" })
    .join("")
    .toLowerCase();
  if (pinyinCache.size > 200_000) pinyinCache.clear();
  pinyinCache.set(text, value);
  return value;
}
