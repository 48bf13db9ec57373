import { registerStage } from '../registry.ts';
import { cardStage } from './card/stage.ts';
import { clusterStage } from './cluster/stage.ts';
import { embedStage } from './embed/stage.ts';
import { pairsExportStage } from './export/pairs-export.ts';
import { exportStage } from './export/stage.ts';
import { fitStage } from './fit/stage.ts';
import { ingestStage } from './ingest/stage.ts';
import { pairsStage } from './pairs/stage.ts';
import { planStage } from './plan/stage.ts';
import { reportStage } from './report/stage.ts';
import { safetyBenchStage } from './safety-bench/stage.ts';
import { safetyGenerateStage } from './safety-generate/stage.ts';
import { scoreStage } from './score/stage.ts';
import { selectStage } from './select/stage.ts';

/**
 * The pipeline's stages, in the order data flows through them. A stage is its folder (its StageDef
 * in stage.ts) and one line here.
 */
for (const stage of [
  planStage,
  ingestStage,
  fitStage,
  scoreStage,
  embedStage,
  clusterStage,
  selectStage,
  exportStage,
  pairsStage,
  pairsExportStage,
  safetyGenerateStage,
  safetyBenchStage,
  reportStage,
  cardStage,
])
  registerStage(stage);

export {
  cardStage,
  clusterStage,
  embedStage,
  exportStage,
  fitStage,
  ingestStage,
  pairsExportStage,
  pairsStage,
  planStage,
  reportStage,
  safetyBenchStage,
  safetyGenerateStage,
  scoreStage,
  selectStage,
};
