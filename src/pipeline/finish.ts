import type { Report } from '../../schemas/output.ts';
import { reportKey } from './keys.ts';
import { type OutputFile, type OutputManifest, singleFile } from './outputs.ts';
import { listStages } from './registry.ts';
import { baseReport, dropUnset, mergeReport, reportText } from './report.ts';
import type { JobView, StageTimes } from './types.ts';

/**
 * A job's end: report.json from every stage's part (in pipeline order, a later part wins), and the
 * manifest of every output file, the last stage's first (a selection's record files lead), then
 * report.json itself.
 */
export function finish(
  view: JobView,
  stages: StageTimes,
  seconds: number,
): { report: Report; manifest: OutputManifest } {
  let report = baseReport(view, stages, seconds);
  const files: OutputFile[][] = [];
  for (const stage of listStages()) {
    if (!stage.applies(view.spec)) continue;
    const state = view.of(stage);
    if (stage.report) report = mergeReport(report, stage.report(view, state));
    if (stage.outputs) files.unshift(stage.outputs(view, state));
  }
  const outputs = files.flat();
  report = dropUnset({ ...report, outputs: [...outputs.map((f) => f.name), 'report.json'] });
  const bytes = new TextEncoder().encode(reportText(report)).byteLength;
  outputs.push(singleFile('report.json', reportKey(view.spec.id), bytes));
  return { report, manifest: { files: outputs } };
}
