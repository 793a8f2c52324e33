// Validation of ExperimentService requests: defaults, and INVALID_ARGUMENT naming the field.
import { expect } from 'chai';
import {
  validateAssignments,
  validateCreateExperiment,
  validateExperimentId,
  validateStopReason,
  type CreateExperimentInput,
} from '../../src/experiment/experiment.validate.js';
import { fieldOf } from '../helpers/app-errors.js';

const NOW = new Date('2025-03-01T12:00:00Z');
const input = (overrides: Partial<CreateExperimentInput> = {}): CreateExperimentInput => ({
  name: ' hook edit ',
  hypothesis: '',
  variants: ['original', 'hook'],
  primaryMetric: 'views',
  guardrailMetrics: ['completion_rate'],
  platform: 0,
  minimumDetectableEffect: 0,
  horizonHours: 0,
  plannedEndDay: '',
  skipCovariateAdjustment: false,
  ...overrides,
});

describe('experiment validation', () => {
  it('fills the defaults: 10 % effect, 24 h horizon, 30 days, adjusted', () => {
    expect(validateCreateExperiment(input(), NOW)).to.deep.equal({
      name: 'hook edit',
      hypothesis: '',
      variants: ['original', 'hook'],
      primaryMetric: 'views',
      guardrailMetrics: ['completion_rate'],
      platform: undefined,
      minimumDetectableEffect: 0.1,
      horizonHours: 24,
      plannedEndDay: '2025-03-31',
      covariateAdjustment: true,
    });
    expect(validateCreateExperiment(input({ platform: 'tiktok', skipCovariateAdjustment: true }), NOW)).to.include({
      platform: 'tiktok',
      covariateAdjustment: false,
    });
  });

  it('names the field at fault', () => {
    expect(fieldOf(() => validateCreateExperiment(input({ name: ' ' }), NOW))).to.equal('name');
    expect(fieldOf(() => validateCreateExperiment(input({ variants: ['a'] }), NOW))).to.equal('variants');
    expect(fieldOf(() => validateCreateExperiment(input({ variants: Array.from({ length: 11 }, (_, i) => `v${i}`) }), NOW))).to.equal('variants');
    expect(fieldOf(() => validateCreateExperiment(input({ variants: ['a', ''] }), NOW))).to.equal('variants[1]');
    expect(fieldOf(() => validateCreateExperiment(input({ primaryMetric: 9 }), NOW))).to.equal('primary_metric');
    expect(fieldOf(() => validateCreateExperiment(input({ guardrailMetrics: ['views'] }), NOW))).to.equal('guardrail_metrics[0]');
    expect(fieldOf(() => validateCreateExperiment(input({ guardrailMetrics: ['first_3s_loss', 'first_3s_loss'] }), NOW))).to.equal('guardrail_metrics[1]');
    expect(fieldOf(() => validateCreateExperiment(input({ platform: 17 }), NOW))).to.equal('platform');
    expect(fieldOf(() => validateCreateExperiment(input({ minimumDetectableEffect: -0.1 }), NOW))).to.equal('minimum_detectable_effect');
    // NaN is a mistake, not the default (it became 0.1); a vanishing effect has no finite interval (1e-300 passed).
    for (const mde of [Number.NaN, 1e-300, 0.0009, 10.5, Number.POSITIVE_INFINITY]) {
      expect(() => validateCreateExperiment(input({ minimumDetectableEffect: mde }), NOW), String(mde)).to.throw(
        /minimum_detectable_effect .* is outside \[0\.001, 10\]/,
      );
    }
    expect(validateCreateExperiment(input({ minimumDetectableEffect: 0 }), NOW).minimumDetectableEffect).to.equal(0.1);
    expect(validateCreateExperiment(input({ minimumDetectableEffect: 0.001 }), NOW).minimumDetectableEffect).to.equal(0.001);
    expect(fieldOf(() => validateCreateExperiment(input({ horizonHours: 721 }), NOW))).to.equal('horizon_hours');
    expect(fieldOf(() => validateCreateExperiment(input({ plannedEndDay: '2025-02-28' }), NOW))).to.equal('planned_end_day');
    expect(fieldOf(() => validateCreateExperiment(input({ plannedEndDay: '2026-03-03' }), NOW))).to.equal('planned_end_day');
    expect(fieldOf(() => validateExperimentId(''))).to.equal('experiment_id');
    expect(fieldOf(() => validateStopReason('x'.repeat(501)))).to.equal('reason');
    expect(validateStopReason(' done ')).to.equal('done');
  });

  it('assignments: deduplicates retries within a call, refuses a post in two variants', () => {
    expect(
      validateAssignments([
        { postId: 'p1', variant: 'a' },
        { postId: 'p1', variant: 'a' },
        { postId: 'p2', variant: 'b' },
      ]),
    ).to.deep.equal([
      { index: 0, postId: 'p1', variant: 'a' },
      { index: 2, postId: 'p2', variant: 'b' },
    ]);
    expect(
      fieldOf(() =>
        validateAssignments([
          { postId: 'p1', variant: 'a' },
          { postId: 'p1', variant: 'b' },
        ]),
      ),
    ).to.equal('assignments[1].post_id');
    expect(fieldOf(() => validateAssignments([]))).to.equal('assignments');
    expect(fieldOf(() => validateAssignments([{ postId: 'p1', variant: '' }]))).to.equal('assignments[0].variant');
  });

  it('names the field of a NUL character, which Postgres cannot store, instead of failing in the database', () => {
    expect(fieldOf(() => validateCreateExperiment(input({ name: 'a\u0000b' }), NOW))).to.equal('name');
    expect(fieldOf(() => validateCreateExperiment(input({ variants: ['a', 'b\u0000'] }), NOW))).to.equal('variants[1]');
    expect(fieldOf(() => validateExperimentId('e\u0000'))).to.equal('experiment_id');
    expect(fieldOf(() => validateAssignments([{ postId: 'p\u0000', variant: 'a' }]))).to.equal('assignments[0].post_id');
    expect(fieldOf(() => validateStopReason('why\u0000'))).to.equal('reason');
  });
});
