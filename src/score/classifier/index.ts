export { auc } from './auc.ts';
export { type ClassifierModel, decodeClassifier, encodeClassifier, predict } from './classifier-model.ts';
export { type ClassifierConfig, ClassifierConfigSchema, classifierScorer } from './classifier-scorer.ts';
export { crossValidate, stratifiedFolds } from './cross-validate.ts';
export { type FeatureOptions, featureDot, featurize } from './featurize.ts';
export { labelledExamples, labelOf, parseLabel, subsample } from './labels.ts';
export { type LogisticOptions, type LogisticWeights, margin, sigmoid, trainLogistic } from './logistic.ts';
