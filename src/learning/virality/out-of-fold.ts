// Out-of-fold pre-publication predictions: each example predicted by a virality model fitted without it, so the
// live-post forecast learns how much to trust the model from predictions as good as those it makes of new posts.
import { fitViralityModel, type FitOptions } from './virality-fit.js';
import { ViralityModel, type ViralityExample } from './virality-model.js';

/** Folds of the out-of-fold predictions. */
const FOLDS = 5;

/**
 * ln(1 + views) predicted for each example (same order) by the model fitted on the other folds (examples dealt to
 * the folds in publication order, so each fold spans the whole period); undefined where a fold could not be fitted.
 * `options` (e.g. the promoted model's penalties) are passed to every fold's fit.
 */
export function outOfFoldLogViews(examples: readonly ViralityExample[], options: FitOptions = {}): (number | undefined)[] {
  const order = examples.map((e, i) => ({ ms: e.publishedAt.getTime(), i })).sort((a, b) => a.ms - b.ms || a.i - b.i);
  const foldOf = new Int32Array(examples.length);
  order.forEach(({ i }, rank) => {
    foldOf[i] = rank % FOLDS;
  });
  const predictions: (number | undefined)[] = new Array(examples.length).fill(undefined);
  for (let fold = 0; fold < FOLDS; fold++) {
    const params = fitViralityModel(
      examples.filter((_, i) => foldOf[i] !== fold),
      options,
    );
    if (!params) continue;
    const model = new ViralityModel(params);
    examples.forEach((example, i) => {
      if (foldOf[i] === fold) predictions[i] = model.predict(example).predictedLogViews;
    });
  }
  return predictions;
}
