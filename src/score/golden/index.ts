export {
  chooseAnchors,
  hashedFeatures,
  type KMeansResult,
  kmeans,
  kmeansPlusPlus,
  nearestToCentroids,
} from './anchors.ts';
export {
  demonstration,
  type GoldenAnchor,
  type GoldenConfig,
  GoldenConfigSchema,
  type GoldenModel,
  goldenScorer,
  meanLogprob,
} from './golden.ts';
