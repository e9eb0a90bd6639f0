import { DoctorFinding, DoctorReport } from './types';

/** One environment's report, as `npm run doctor -- --json` prints it. */
export interface DoctorJsonEnvironment {
  readonly name: string;
  readonly errors: number;
  readonly warnings: number;
  readonly suppressed: number;
  readonly findings: readonly DoctorFinding[];
  readonly unusedSuppressions: DoctorReport['unusedSuppressions'];
}

/** The JSON of one environment's report (stable field order, for CI). */
export function reportToJson(name: string, report: DoctorReport): DoctorJsonEnvironment {
  return {
    name,
    errors: report.errors.length,
    warnings: report.warnings.length,
    suppressed: report.suppressed.length,
    findings: report.findings.map((f) => ({
      rule: f.rule,
      severity: f.severity,
      path: f.path,
      ...(f.object ? { object: f.object } : {}),
      message: f.message,
      ...(f.suppressed !== undefined ? { suppressed: f.suppressed } : {}),
    })),
    unusedSuppressions: report.unusedSuppressions,
  };
}

/** Splits text into lines of at most `width` characters, at spaces where possible. */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = '';
    for (const word of paragraph.split(' ')) {
      if (line === '') line = word;
      else if (line.length + 1 + word.length <= width) line += ` ${word}`;
      else {
        lines.push(line);
        line = word;
      }
      while (line.length > width) {
        lines.push(line.slice(0, width));
        line = line.slice(width);
      }
    }
    lines.push(line);
  }
  return lines;
}

/**
 * A plain-text table: one row per finding (SEVERITY, RULE, OBJECT / PATH, MESSAGE, SUPPRESSED),
 * long cells wrapped within their column, after a summary line for `title`.
 */
export function formatReportTable(title: string, report: DoctorReport, width = 160): string {
  const count = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;
  const summary = `${title}: ${count(report.errors.length, 'error')}, ${count(report.warnings.length, 'warning')}, ${report.suppressed.length} suppressed`;
  const out = [summary];
  if (report.findings.length > 0) {
    const header = ['SEVERITY', 'RULE', 'OBJECT / PATH', 'MESSAGE', 'SUPPRESSED'];
    const rows = report.findings.map((f) => [
      f.suppressed !== undefined ? `(${f.severity})` : f.severity,
      f.rule,
      f.object ? `${f.object}\n${f.path}` : f.path,
      f.message,
      f.suppressed ?? '-',
    ]);
    const fixed = [0, 1].map((i) => Math.max(header[i].length, ...rows.map((r) => r[i].length)));
    const where = Math.min(48, Math.max(header[2].length, ...rows.flatMap((r) => r[2].split('\n').map((l) => l.length))));
    const rest = Math.max(40, width - fixed[0] - fixed[1] - where - 8);
    const suppressedWidth = Math.min(30, Math.max(header[4].length, ...rows.map((r) => r[4].length)));
    const widths = [fixed[0], fixed[1], where, Math.max(20, rest - suppressedWidth - 2), suppressedWidth];
    const render = (cells: string[]) => {
      const wrapped = cells.map((c, i) => c.split('\n').flatMap((l) => wrap(l, widths[i])));
      const height = Math.max(...wrapped.map((w) => w.length));
      for (let line = 0; line < height; line++) {
        out.push(wrapped.map((w, i) => (w[line] ?? '').padEnd(widths[i])).join('  ').trimEnd());
      }
    };
    render(header);
    render(widths.map((w) => '-'.repeat(w)));
    rows.forEach(render);
  }
  for (const s of report.unusedSuppressions) {
    out.push(`note: suppression of ${s.rule} for ${JSON.stringify(s.path)} matched nothing (${s.reason})`);
  }
  return out.join('\n');
}
