import { type Actor, scopeFor } from "../../core/auth/permissions.ts";
import { chinaDay, loadCalendar } from "../../core/calendar.ts";
import type { AppContext } from "../../core/context.ts";
import { ForbiddenError } from "../../core/errors.ts";
import { isNormative } from "../content/metadata.ts";
import { catalogueSettings, documentKey } from "./catalogue.ts";

/**
 * 公开时效 report, counted in working days with the one calendar:
 * - 解读滞后: interpretation published date − policy published date, per policy; flagged beyond the
 *   configured limit (local rules: 最迟 3 个工作日), and 规范性文件 with no interpretation at all;
 * - 条例 Art 26: 主动公开 items published more than 20 working days after their 成文日期.
 */
export const ART26_LIMIT = 20;

export interface LagPolicy {
  id: number;
  index_no: string | null;
  title: string;
  doc_number: string;
  issuer: string;
  site_name: string;
  normative: boolean;
  published: string;
}

export interface InterpretationLagRow extends LagPolicy {
  /** The earliest public interpretation, or none. */
  interpretation: { id: number; title: string; published: string } | undefined;
  /** Working days from the policy's to the interpretation's publication; for a missing one, until today. */
  lag: number;
  flagged: boolean;
}

export interface Art26Row extends LagPolicy {
  written: string;
  days: number;
}

export interface LagReport {
  limit: number;
  today: string;
  interpretations: InterpretationLagRow[];
  art26: Art26Row[];
  counts: {
    policies: number;
    interpreted: number;
    withinLimit: number;
    beyondLimit: number;
    normativeWithout: number;
    art26: number;
  };
}

/** Who may read the report: site administrators, for the sites they manage. */
function reportScope(actor: Actor) {
  const scope = scopeFor(actor, "site.manage");
  if (!scope.all && scope.siteIds.length === 0)
    throw new ForbiddenError("只有站点管理员可以查看公开时效报告");
  return scope;
}

export async function lagReport(
  ctx: AppContext,
  actor: Actor,
  options: { limit?: number | undefined; today?: string } = {},
): Promise<LagReport> {
  const scope = reportScope(actor);
  const limit = options.limit ?? (await catalogueSettings(ctx.db)).lagLimit;
  const today = options.today ?? chinaDay();
  const calendar = await loadCalendar(ctx.db);
  const docs = await ctx.db
    .selectFrom("documents as d")
    .innerJoin("document_versions as v", "v.id", "d.live_version_id")
    .innerJoin("sites as s", "s.id", "d.site_id")
    .select([
      "d.id",
      "d.ref",
      "d.type",
      "d.index_no",
      "d.first_published_at",
      "v.title",
      "v.metadata",
      "d.site_id",
      "s.name as site_name",
    ])
    .where("d.type", "in", ["policy", "interpretation"])
    .orderBy("d.first_published_at")
    .orderBy("d.id")
    .execute();
  // the policies of the sites the reader manages; their interpretations wherever they are published
  const policies = docs.filter(
    (d) => d.type === "policy" && (scope.all || scope.siteIds.includes(d.site_id)),
  );
  const firstInterpretation = new Map<string, (typeof docs)[number]>();
  for (const d of docs) {
    const key = d.type === "interpretation" ? d.metadata.policy_ref : undefined;
    if (key && !firstInterpretation.has(key)) firstInterpretation.set(key, d);
  }
  const interpretations: InterpretationLagRow[] = [];
  const art26: Art26Row[] = [];
  for (const p of policies) {
    const base: LagPolicy = {
      id: p.id,
      index_no: p.index_no,
      title: p.title,
      doc_number: p.metadata.doc_number ?? "",
      issuer: p.metadata.issuer ?? "",
      site_name: p.site_name,
      normative: isNormative(p.metadata),
      published: chinaDay(p.first_published_at ?? new Date()),
    };
    const jd = firstInterpretation.get(documentKey(p)) ?? firstInterpretation.get(String(p.id));
    if (jd) {
      const published = chinaDay(jd.first_published_at ?? new Date());
      const lag = calendar.workingDaysBetween(base.published, published);
      interpretations.push({
        ...base,
        interpretation: { id: jd.id, title: jd.title, published },
        lag,
        flagged: lag > limit,
      });
    } else if (base.normative) {
      const lag = calendar.workingDaysBetween(base.published, today);
      interpretations.push({ ...base, interpretation: undefined, lag, flagged: true });
    }
    const written = p.metadata.written_date;
    if (written && (p.metadata.disclosure ?? "主动公开") === "主动公开") {
      const days = calendar.workingDaysBetween(written, base.published);
      if (days > ART26_LIMIT) art26.push({ ...base, written, days });
    }
  }
  // flagged first, the longest wait first
  interpretations.sort((a, b) => Number(b.flagged) - Number(a.flagged) || b.lag - a.lag || a.id - b.id);
  art26.sort((a, b) => b.days - a.days || a.id - b.id);
  const interpreted = interpretations.filter((r) => r.interpretation);
  return {
    limit,
    today,
    interpretations,
    art26,
    counts: {
      policies: policies.length,
      interpreted: interpreted.length,
      withinLimit: interpreted.filter((r) => !r.flagged).length,
      beyondLimit: interpreted.filter((r) => r.flagged).length,
      normativeWithout: interpretations.filter((r) => !r.interpretation).length,
      art26: art26.length,
    },
  };
}
