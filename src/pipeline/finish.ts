import type { Report } from '../../schemas/output.ts';
import { reportKey } from './keys.ts';
import { type OutputFile, type OutputManifest, singleFile } from './outputs.ts';
import { listStages } from './registry.ts';
import { baseReport, dropUnset, mergeReport, reportText } from './report.ts';
import type { JobView, StageTimes } from './types.ts';

/**
 * The report from every applying stage's part (in pipeline order, a later part wins), and every
 * output file, the last stage's first (a selection's record files lead), trailer stages' after the rest. `before`: only the stages
 * before that one (what the card stage describes; it runs last).
 */
export function assemble(
  view: JobView,
  stages: StageTimes,
  seconds: number,
  before?: string,
): { report: Report; files: OutputFile[] } {
  let report = baseReport(view, stages, seconds);
  const files: OutputFile[][] = [];
  const trailers: OutputFile[][] = [];
  for (const stage of listStages()) {
    if (stage.id === before) break;
    if (!stage.applies(view.spec)) continue;
    const state = view.of(stage);
    if (stage.report) report = mergeReport(report, stage.report(view, state));
    if (stage.outputs) (stage.trailer ? trailers : files).unshift(stage.outputs(view, state));
  }
  const outputs = [...files.flat(), ...trailers.flat()];
  return {
    report: dropUnset({ ...report, outputs: [...outputs.map((f) => f.name), 'report.json'] }),
    files: outputs,
  };
}

/** A job's end: report.json from every stage's part, and the manifest of every output file, report.json last. */
export function finish(
  view: JobView,
  stages: StageTimes,
  seconds: number,
): { report: Report; manifest: OutputManifest } {
  const assembled = assemble(view, stages, seconds);
  const { files } = assembled;
  // report.html is rendered from this report by the host, beside it (stages/report/html.ts).
  const names = assembled.report.outputs.filter((n) => n !== 'report.json');
  const report = { ...assembled.report, outputs: [...names, 'report.html', 'report.json'] };
  const bytes = new TextEncoder().encode(reportText(report)).byteLength;
  files.push(singleFile('report.json', reportKey(view.spec.id), bytes));
  return { report, manifest: { files } };
}
