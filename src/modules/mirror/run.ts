import type { FastifyInstance } from "fastify";
import type { AppContext } from "../../core/context.ts";
import { type PublishReport, updateMirror } from "./publish.tsx";

/** Progress on stderr: one rewritten line on a terminal, a line every few seconds otherwise. */
export function stderrProgress(): (done: number, total: number, perSecond: number) => void {
  let lastLine = 0;
  return (done, total, perSecond) => {
    const line = `已渲染 ${done}/${total} 个地址（每秒 ${perSecond.toFixed(0)} 个）`;
    if (process.stderr.isTTY) process.stderr.write(`\r${line}`);
    else if (Date.now() - lastLine > 3000 || done === total) {
      lastLine = Date.now();
      process.stderr.write(`${line}\n`);
    }
  };
}

export function describeReport(report: PublishReport): string[] {
  const lines = [
    `静态镜像：页面 ${report.pages} 个，文件 ${report.files} 个，跳转 ${report.redirects} 个；` +
      `写入 ${report.written} 个，未变 ${report.unchanged} 个，删除 ${report.removed} 个；` +
      `表单降级页面 ${report.degraded} 个；用时 ${report.seconds.toFixed(1)} 秒`,
  ];
  if (report.discovered.length)
    lines.push(
      `通过链接发现、未由数据库枚举的地址 ${report.discovered.length} 个：${report.discovered.slice(0, 10).join(" ")}`,
    );
  if (report.broken.length) {
    lines.push(`站内链接指向不存在的页面 ${report.broken.length} 个：`);
    for (const b of report.broken.slice(0, 20))
      lines.push(`  ${b.key}（${b.status}，链接所在页面 ${b.from}）`);
  }
  return lines;
}

export async function publishFromCli(
  ctx: AppContext,
  app: FastifyInstance,
  outDir: string,
  say: (line: string) => void,
): Promise<PublishReport> {
  const report = await updateMirror(ctx, app, outDir, { progress: stderrProgress() });
  if (process.stderr.isTTY) process.stderr.write("\n");
  const mode = { full: "全量发布", incremental: "增量更新", unchanged: "自上次发布以来没有公开内容变化" }[
    report.mode
  ];
  say(`${mode}（镜像目录 ${outDir}）`);
  for (const line of describeReport(report)) say(line);
  return report;
}
