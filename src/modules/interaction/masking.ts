/**
 * Masks personal data in letters before they are shown to the public (PIPL Art 25; checks mark
 * down 未脱敏的身份证号、手机号): ID numbers, mobile and private phone numbers, e-mail addresses,
 * house numbers of addresses (the street or community stays), and full names a writer gives for
 * himself or others. Official replies keep the office's published landlines and addresses; only
 * ID numbers, mobiles and e-mail addresses are masked there.
 */

const SURNAMES =
  "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝";

const ID_NUMBER = /(?<![0-9A-Za-z])(\d{6})(\d{8})(\d{3}[\dXx])(?![0-9A-Za-z])/g;
const MOBILE = /(?<!\d)(1[3-9]\d)[\s-]?(\d{4})[\s-]?(\d{4})(?!\d)/g;
const LANDLINE = /(?<!\d)(0\d{2,3})[\s-]?(\d{7,8})(?!\d)/g;
const EMAIL = /([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+\.[A-Za-z]{2,})/g;
const NUMERAL = "0-9０-９一二三四五六七八九十百零〇两";
/** House numbers: 66号, 3栋2单元501室, 5号楼1203, 3-2-501 … (not 3个月, 2026年) */
const HOUSE = new RegExp(
  `(?:[${NUMERAL}]+(?:号楼|号院|号|栋|幢|座|单元|室|层|楼|户)[${NUMERAL}]*)+|(?<![0-9])\\d{1,3}-\\d{1,3}-\\d{2,4}(?![0-9])`,
  "g",
);
/** "我叫张三" "本人李小红" "姓名：王五" "我父亲赵大海" */
const NAME_AFTER = new RegExp(
  `(我叫|我是|本人|姓名[:：]?\\s*|联系人[:：]?\\s*|名叫|叫做)([${SURNAMES}])([\\p{Script=Han}]{1,2})(?=[，。,、；;\\s！!（(]|$|是|今年|家住|住在|，)`,
  "gu",
);

export function maskName(name: string): string {
  const n = name.trim();
  if (n.length <= 1) return "*";
  return `${n[0]}${"*".repeat(Math.min(n.length - 1, 2))}`;
}

function maskIds(text: string): string {
  return text.replace(
    ID_NUMBER,
    (_m, a: string, _b: string, c: string) => `${a.slice(0, 4)}**********${c.slice(-4)}`,
  );
}

function maskMobiles(text: string): string {
  return text.replace(MOBILE, (_m, a: string, _b: string, c: string) => `${a}****${c}`);
}

function maskEmails(text: string): string {
  return text.replace(EMAIL, (_m, first: string, domain: string) => `${first}***@${domain}`);
}

/** A citizen's text for publication. */
export function maskLetterText(text: string): string {
  let t = maskIds(text);
  t = maskMobiles(t);
  t = t.replace(
    LANDLINE,
    (_m, area: string, n: string) => `${area}-${"*".repeat(n.length - 4)}${n.slice(-4)}`,
  );
  t = maskEmails(t);
  t = t.replace(HOUSE, (m) => "*".repeat(Math.min(m.length, 4)));
  t = t.replace(
    NAME_AFTER,
    (_m, lead: string, surname: string, given: string) => `${lead}${surname}${"*".repeat(given.length)}`,
  );
  return t;
}

/** An office's reply for publication: official numbers and addresses stay. */
export function maskReplyText(text: string): string {
  return maskEmails(maskMobiles(maskIds(text)));
}
