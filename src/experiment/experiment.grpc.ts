// gRPC handlers of ExperimentService: validate, call the service, map results to messages.
import type { Services } from '../app.js';
import { Platform } from '../gen/stakazo/ml/v1/common.js';
import { ExperimentMetric, ExperimentStatus, type ExperimentServiceServer } from '../gen/stakazo/ml/v1/experiment.js';
import { invalidArgument } from '../errors.js';
import { fromEnum } from '../grpc/enums.js';
import { unary, type HandlerDeps } from '../grpc/handlers.js';
import { experimentMessage, resultMessage } from './experiment.mapper.js';
import type { ExperimentStatus as StatusName } from './experiment.types.js';
import { validateAssignments, validateCreateExperiment, validateExperimentId, validateStopReason } from './experiment.validate.js';

/** An enum as the validators take it: its domain name, or the raw number when unspecified or unknown. */
const metricField = (value: number) => fromEnum(ExperimentMetric, 'EXPERIMENT_METRIC_', value) ?? value;
const platformField = (value: number) => fromEnum(Platform, 'PLATFORM_', value) ?? value;

function statusFilter(value: number): StatusName | undefined {
  if (!value) return undefined;
  const name = fromEnum(ExperimentStatus, 'EXPERIMENT_STATUS_', value);
  if (!name) throw invalidArgument(`status ${value} is not a known status (RUNNING, STOPPED)`, 'status');
  return name as StatusName;
}

/** Every method of ExperimentService; ctx.tenantId scopes every call. */
export function experimentHandlers(deps: HandlerDeps, services: Pick<Services, 'experiment'>): ExperimentServiceServer {
  const service = services.experiment;
  return {
    createExperiment: unary(deps, 'CreateExperiment', async (req, ctx) => {
      const definition = validateCreateExperiment(
        {
          ...req,
          primaryMetric: metricField(req.primaryMetric),
          guardrailMetrics: req.guardrailMetrics.map(metricField),
          platform: platformField(req.platform),
        },
        new Date(),
      );
      return { experiment: experimentMessage(await service.create(ctx.tenantId, definition)) };
    }),
    addPosts: unary(deps, 'AddPosts', async (req, ctx) => {
      const experimentId = validateExperimentId(req.experimentId);
      const { added, unchanged, alsoIn, experiment } = await service.addPosts(ctx.tenantId, experimentId, validateAssignments(req.assignments));
      return { addedCount: added, unchangedCount: unchanged, experiment: experimentMessage(experiment), alsoInRunning: alsoIn };
    }),
    getExperiment: unary(deps, 'GetExperiment', async (req, ctx) => ({
      experiment: experimentMessage(await service.get(ctx.tenantId, validateExperimentId(req.experimentId))),
    })),
    listExperiments: unary(deps, 'ListExperiments', async (req, ctx) => {
      const { experiments, nextPageToken } = await service.list(ctx.tenantId, statusFilter(req.status), req.pageSize, req.pageToken);
      return { experiments: experiments.map(experimentMessage), nextPageToken };
    }),
    stopExperiment: unary(deps, 'StopExperiment', async (req, ctx) => ({
      experiment: experimentMessage(await service.stop(ctx.tenantId, validateExperimentId(req.experimentId), validateStopReason(req.reason))),
    })),
    getExperimentResult: unary(deps, 'GetExperimentResult', async (req, ctx) => {
      const { experiment, result, history } = await service.result(ctx.tenantId, validateExperimentId(req.experimentId));
      return resultMessage(experiment, result, history);
    }),
  };
}
