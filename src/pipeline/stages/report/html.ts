import type { Report } from '../../../../schemas/output.ts';
import type { ReportData } from '../../../../schemas/report-data.ts';
import { renderReport } from '../../../report/index.ts';
import { reportHtmlKey } from '../../keys.ts';
import { type OutputManifest, singleFile } from '../../outputs.ts';
import { type BlobStore, getJson } from '../../store.ts';

export const HTML = 'text/html; charset=utf-8';

/**
 * A finished job's report.html, written by the host beside report.json (it shows every stage's time,
 * known only then) from the final report and report-data.json: the manifest with report.html added
 * just before report.json. Re-rendering on a retry writes the same page for the same report.
 */
export async function writeReportHtml(
  store: BlobStore,
  report: Report,
  manifest: OutputManifest,
): Promise<OutputManifest> {
  const dataFile = manifest.files.find((f) => f.name === 'report-data.json');
  let data: ReportData | undefined;
  try {
    data = dataFile ? ((await getJson<ReportData>(store, dataFile.parts[0].key)) ?? undefined) : undefined;
  } catch {
    // An unreadable report-data.json never keeps the job from finishing: the page goes without it.
    data = undefined;
  }
  const html = new TextEncoder().encode(renderReport({ report, ...(data ? { data } : {}) }));
  const key = reportHtmlKey(report.job);
  await store.put(key, html, HTML);
  const files = manifest.files.filter((f) => f.name !== 'report.html');
  const at = files.findIndex((f) => f.name === 'report.json');
  files.splice(at < 0 ? files.length : at, 0, singleFile('report.html', key, html.byteLength, HTML));
  return { ...manifest, files };
}
