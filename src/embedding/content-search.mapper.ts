// SearchContent messages ⇄ the embedding area's types: the request to the validator's input, the fused hits back.
import { Fusion, type SearchContentRequest, type SearchContentResponse } from '../gen/stakazo/ml/v1/embedding.js';
import { fromEnum } from '../grpc/enums.js';
import type { ContentHit } from './content-search.types.js';
import type { SearchContentRequest as SearchContentInput } from './content-search.validate.js';

/** The request as the validator takes it (the fusion as its lower-case name). */
export function toSearchContentInput(request: SearchContentRequest): SearchContentInput {
  const fusion = request.fusion === 0 ? 'unspecified' : (fromEnum(Fusion, 'FUSION_', request.fusion) ?? `unrecognized value ${request.fusion}`);
  return { ...request, fusion };
}

export function toSearchContentResponse(hits: readonly ContentHit[]): SearchContentResponse {
  return { hits: hits.map((hit) => ({ contentId: hit.contentId, score: hit.score, evidence: hit.evidence.map((e) => ({ ...e })) })) };
}
