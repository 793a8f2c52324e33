from google.protobuf import struct_pb2 as _struct_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf import wrappers_pb2 as _wrappers_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor
DISTANCE_COSINE: Distance
DISTANCE_INNER_PRODUCT: Distance
DISTANCE_L2: Distance
DISTANCE_UNSPECIFIED: Distance
EMBEDDING_TYPE_AUDIO: EmbeddingType
EMBEDDING_TYPE_BRAND: EmbeddingType
EMBEDDING_TYPE_MULTIMODAL: EmbeddingType
EMBEDDING_TYPE_STYLE: EmbeddingType
EMBEDDING_TYPE_TEXT: EmbeddingType
EMBEDDING_TYPE_UNSPECIFIED: EmbeddingType
EMBEDDING_TYPE_VISUAL_CLIP: EmbeddingType
FUSION_RRF: Fusion
FUSION_UNSPECIFIED: Fusion
FUSION_WEIGHTED: Fusion
INDEX_STATE_BUILDING: IndexState
INDEX_STATE_NONE: IndexState
INDEX_STATE_READY: IndexState
INDEX_STATE_UNSPECIFIED: IndexState
METADATA_UPDATE_MODE_MERGE: MetadataUpdateMode
METADATA_UPDATE_MODE_REPLACE: MetadataUpdateMode
METADATA_UPDATE_MODE_UNSPECIFIED: MetadataUpdateMode
PRECISION_FLOAT16: Precision
PRECISION_FLOAT32: Precision
PRECISION_UNSPECIFIED: Precision
RECOMMEND_STRATEGY_AVERAGE_VECTOR: RecommendStrategy
RECOMMEND_STRATEGY_BEST_SCORE: RecommendStrategy
RECOMMEND_STRATEGY_UNSPECIFIED: RecommendStrategy
VECTOR_ENCODING_FLOAT32_LE: VectorEncoding
VECTOR_ENCODING_UNSPECIFIED: VectorEncoding
VECTOR_ENCODING_VALUES: VectorEncoding

class Alias(_message.Message):
    __slots__ = ["alias", "collection", "create_time", "update_time"]
    ALIAS_FIELD_NUMBER: _ClassVar[int]
    COLLECTION_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    alias: str
    collection: str
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    def __init__(self, alias: _Optional[str] = ..., collection: _Optional[str] = ..., create_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class BuildIndexRequest(_message.Message):
    __slots__ = ["collection"]
    COLLECTION_FIELD_NUMBER: _ClassVar[int]
    collection: str
    def __init__(self, collection: _Optional[str] = ...) -> None: ...

class BuildIndexResponse(_message.Message):
    __slots__ = ["collection"]
    COLLECTION_FIELD_NUMBER: _ClassVar[int]
    collection: Collection
    def __init__(self, collection: _Optional[_Union[Collection, _Mapping]] = ...) -> None: ...

class Collection(_message.Message):
    __slots__ = ["create_time", "description", "dimension", "distance", "embedding_type", "hnsw", "index_build_progress", "index_state", "indexing_threshold", "name", "point_count", "precision", "text_fields", "text_language"]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    DIMENSION_FIELD_NUMBER: _ClassVar[int]
    DISTANCE_FIELD_NUMBER: _ClassVar[int]
    EMBEDDING_TYPE_FIELD_NUMBER: _ClassVar[int]
    HNSW_FIELD_NUMBER: _ClassVar[int]
    INDEXING_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    INDEX_BUILD_PROGRESS_FIELD_NUMBER: _ClassVar[int]
    INDEX_STATE_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    POINT_COUNT_FIELD_NUMBER: _ClassVar[int]
    PRECISION_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELDS_FIELD_NUMBER: _ClassVar[int]
    TEXT_LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    create_time: _timestamp_pb2.Timestamp
    description: str
    dimension: int
    distance: Distance
    embedding_type: EmbeddingType
    hnsw: HnswConfig
    index_build_progress: IndexBuildProgress
    index_state: IndexState
    indexing_threshold: _wrappers_pb2.UInt64Value
    name: str
    point_count: int
    precision: Precision
    text_fields: _containers.RepeatedScalarFieldContainer[str]
    text_language: str
    def __init__(self, name: _Optional[str] = ..., embedding_type: _Optional[_Union[EmbeddingType, str]] = ..., dimension: _Optional[int] = ..., distance: _Optional[_Union[Distance, str]] = ..., precision: _Optional[_Union[Precision, str]] = ..., hnsw: _Optional[_Union[HnswConfig, _Mapping]] = ..., description: _Optional[str] = ..., point_count: _Optional[int] = ..., create_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., index_state: _Optional[_Union[IndexState, str]] = ..., indexing_threshold: _Optional[_Union[_wrappers_pb2.UInt64Value, _Mapping]] = ..., index_build_progress: _Optional[_Union[IndexBuildProgress, _Mapping]] = ..., text_fields: _Optional[_Iterable[str]] = ..., text_language: _Optional[str] = ...) -> None: ...

class ContentHit(_message.Message):
    __slots__ = ["content_id", "evidence", "score"]
    CONTENT_ID_FIELD_NUMBER: _ClassVar[int]
    EVIDENCE_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    content_id: str
    evidence: _containers.RepeatedCompositeFieldContainer[SubQueryEvidence]
    score: float
    def __init__(self, content_id: _Optional[str] = ..., score: _Optional[float] = ..., evidence: _Optional[_Iterable[_Union[SubQueryEvidence, _Mapping]]] = ...) -> None: ...

class ContentSubQuery(_message.Message):
    __slots__ = ["candidates", "collection", "content_id", "ef_search", "filter", "point_id", "vector", "weight"]
    CANDIDATES_FIELD_NUMBER: _ClassVar[int]
    COLLECTION_FIELD_NUMBER: _ClassVar[int]
    CONTENT_ID_FIELD_NUMBER: _ClassVar[int]
    EF_SEARCH_FIELD_NUMBER: _ClassVar[int]
    FILTER_FIELD_NUMBER: _ClassVar[int]
    POINT_ID_FIELD_NUMBER: _ClassVar[int]
    VECTOR_FIELD_NUMBER: _ClassVar[int]
    WEIGHT_FIELD_NUMBER: _ClassVar[int]
    candidates: int
    collection: str
    content_id: str
    ef_search: int
    filter: Filter
    point_id: str
    vector: Vector
    weight: _wrappers_pb2.DoubleValue
    def __init__(self, collection: _Optional[str] = ..., vector: _Optional[_Union[Vector, _Mapping]] = ..., point_id: _Optional[str] = ..., content_id: _Optional[str] = ..., weight: _Optional[_Union[_wrappers_pb2.DoubleValue, _Mapping]] = ..., filter: _Optional[_Union[Filter, _Mapping]] = ..., candidates: _Optional[int] = ..., ef_search: _Optional[int] = ...) -> None: ...

class CreateAliasRequest(_message.Message):
    __slots__ = ["alias", "collection"]
    ALIAS_FIELD_NUMBER: _ClassVar[int]
    COLLECTION_FIELD_NUMBER: _ClassVar[int]
    alias: str
    collection: str
    def __init__(self, alias: _Optional[str] = ..., collection: _Optional[str] = ...) -> None: ...

class CreateAliasResponse(_message.Message):
    __slots__ = ["alias"]
    ALIAS_FIELD_NUMBER: _ClassVar[int]
    alias: Alias
    def __init__(self, alias: _Optional[_Union[Alias, _Mapping]] = ...) -> None: ...

class CreateCollectionRequest(_message.Message):
    __slots__ = ["collection"]
    COLLECTION_FIELD_NUMBER: _ClassVar[int]
    collection: Collection
    def __init__(self, collection: _Optional[_Union[Collection, _Mapping]] = ...) -> None: ...

class CreateCollectionResponse(_message.Message):
    __slots__ = ["collection"]
    COLLECTION_FIELD_NUMBER: _ClassVar[int]
    collection: Collection
    def __init__(self, collection: _Optional[_Union[Collection, _Mapping]] = ...) -> None: ...

class DeleteAliasRequest(_message.Message):
    __slots__ = ["alias"]
    ALIAS_FIELD_NUMBER: _ClassVar[int]
    alias: str
    def __init__(self, alias: _Optional[str] = ...) -> None: ...

class DeleteAliasResponse(_message.Message):
    __slots__ = ["collection"]
    COLLECTION_FIELD_NUMBER: _ClassVar[int]
    collection: str
    def __init__(self, collection: _Optional[str] = ...) -> None: ...

class DeleteCollectionRequest(_message.Message):
    __slots__ = ["name"]
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class DeleteCollectionResponse(_message.Message):
    __slots__ = ["deleted_points_count"]
    DELETED_POINTS_COUNT_FIELD_NUMBER: _ClassVar[int]
    deleted_points_count: int
    def __init__(self, deleted_points_count: _Optional[int] = ...) -> None: ...

class DeletePointsRequest(_message.Message):
    __slots__ = ["collection", "filter", "ids"]
    COLLECTION_FIELD_NUMBER: _ClassVar[int]
    FILTER_FIELD_NUMBER: _ClassVar[int]
    IDS_FIELD_NUMBER: _ClassVar[int]
    collection: str
    filter: Filter
    ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, collection: _Optional[str] = ..., ids: _Optional[_Iterable[str]] = ..., filter: _Optional[_Union[Filter, _Mapping]] = ...) -> None: ...

class DeletePointsResponse(_message.Message):
    __slots__ = ["deleted_count"]
    DELETED_COUNT_FIELD_NUMBER: _ClassVar[int]
    deleted_count: int
    def __init__(self, deleted_count: _Optional[int] = ...) -> None: ...

class Filter(_message.Message):
    __slots__ = ["content_ids", "created_after", "created_before", "metadata_contains"]
    CONTENT_IDS_FIELD_NUMBER: _ClassVar[int]
    CREATED_AFTER_FIELD_NUMBER: _ClassVar[int]
    CREATED_BEFORE_FIELD_NUMBER: _ClassVar[int]
    METADATA_CONTAINS_FIELD_NUMBER: _ClassVar[int]
    content_ids: _containers.RepeatedScalarFieldContainer[str]
    created_after: _timestamp_pb2.Timestamp
    created_before: _timestamp_pb2.Timestamp
    metadata_contains: _struct_pb2.Struct
    def __init__(self, content_ids: _Optional[_Iterable[str]] = ..., created_after: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., created_before: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., metadata_contains: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class GetCollectionRequest(_message.Message):
    __slots__ = ["name"]
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class GetCollectionResponse(_message.Message):
    __slots__ = ["collection"]
    COLLECTION_FIELD_NUMBER: _ClassVar[int]
    collection: Collection
    def __init__(self, collection: _Optional[_Union[Collection, _Mapping]] = ...) -> None: ...

class GetPointsRequest(_message.Message):
    __slots__ = ["collection", "ids", "vector_encoding", "with_vectors"]
    COLLECTION_FIELD_NUMBER: _ClassVar[int]
    IDS_FIELD_NUMBER: _ClassVar[int]
    VECTOR_ENCODING_FIELD_NUMBER: _ClassVar[int]
    WITH_VECTORS_FIELD_NUMBER: _ClassVar[int]
    collection: str
    ids: _containers.RepeatedScalarFieldContainer[str]
    vector_encoding: VectorEncoding
    with_vectors: bool
    def __init__(self, collection: _Optional[str] = ..., ids: _Optional[_Iterable[str]] = ..., with_vectors: bool = ..., vector_encoding: _Optional[_Union[VectorEncoding, str]] = ...) -> None: ...

class GetPointsResponse(_message.Message):
    __slots__ = ["points"]
    POINTS_FIELD_NUMBER: _ClassVar[int]
    points: _containers.RepeatedCompositeFieldContainer[Point]
    def __init__(self, points: _Optional[_Iterable[_Union[Point, _Mapping]]] = ...) -> None: ...

class HnswConfig(_message.Message):
    __slots__ = ["ef_construction", "ef_search", "m"]
    EF_CONSTRUCTION_FIELD_NUMBER: _ClassVar[int]
    EF_SEARCH_FIELD_NUMBER: _ClassVar[int]
    M_FIELD_NUMBER: _ClassVar[int]
    ef_construction: int
    ef_search: int
    m: int
    def __init__(self, m: _Optional[int] = ..., ef_construction: _Optional[int] = ..., ef_search: _Optional[int] = ...) -> None: ...

class IndexBuildProgress(_message.Message):
    __slots__ = ["phase", "tuples_done", "tuples_total"]
    PHASE_FIELD_NUMBER: _ClassVar[int]
    TUPLES_DONE_FIELD_NUMBER: _ClassVar[int]
    TUPLES_TOTAL_FIELD_NUMBER: _ClassVar[int]
    phase: str
    tuples_done: int
    tuples_total: int
    def __init__(self, phase: _Optional[str] = ..., tuples_done: _Optional[int] = ..., tuples_total: _Optional[int] = ...) -> None: ...

class KeywordSubQuery(_message.Message):
    __slots__ = ["candidates", "collection", "filter", "query", "weight"]
    CANDIDATES_FIELD_NUMBER: _ClassVar[int]
    COLLECTION_FIELD_NUMBER: _ClassVar[int]
    FILTER_FIELD_NUMBER: _ClassVar[int]
    QUERY_FIELD_NUMBER: _ClassVar[int]
    WEIGHT_FIELD_NUMBER: _ClassVar[int]
    candidates: int
    collection: str
    filter: Filter
    query: str
    weight: _wrappers_pb2.DoubleValue
    def __init__(self, collection: _Optional[str] = ..., query: _Optional[str] = ..., weight: _Optional[_Union[_wrappers_pb2.DoubleValue, _Mapping]] = ..., filter: _Optional[_Union[Filter, _Mapping]] = ..., candidates: _Optional[int] = ...) -> None: ...

class ListAliasesRequest(_message.Message):
    __slots__ = ["collection"]
    COLLECTION_FIELD_NUMBER: _ClassVar[int]
    collection: str
    def __init__(self, collection: _Optional[str] = ...) -> None: ...

class ListAliasesResponse(_message.Message):
    __slots__ = ["aliases"]
    ALIASES_FIELD_NUMBER: _ClassVar[int]
    aliases: _containers.RepeatedCompositeFieldContainer[Alias]
    def __init__(self, aliases: _Optional[_Iterable[_Union[Alias, _Mapping]]] = ...) -> None: ...

class ListCollectionsRequest(_message.Message):
    __slots__ = ["embedding_type"]
    EMBEDDING_TYPE_FIELD_NUMBER: _ClassVar[int]
    embedding_type: EmbeddingType
    def __init__(self, embedding_type: _Optional[_Union[EmbeddingType, str]] = ...) -> None: ...

class ListCollectionsResponse(_message.Message):
    __slots__ = ["collections"]
    COLLECTIONS_FIELD_NUMBER: _ClassVar[int]
    collections: _containers.RepeatedCompositeFieldContainer[Collection]
    def __init__(self, collections: _Optional[_Iterable[_Union[Collection, _Mapping]]] = ...) -> None: ...

class Point(_message.Message):
    __slots__ = ["content_id", "create_time", "id", "metadata", "update_time", "vector"]
    CONTENT_ID_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    VECTOR_FIELD_NUMBER: _ClassVar[int]
    content_id: str
    create_time: _timestamp_pb2.Timestamp
    id: str
    metadata: _struct_pb2.Struct
    update_time: _timestamp_pb2.Timestamp
    vector: Vector
    def __init__(self, id: _Optional[str] = ..., content_id: _Optional[str] = ..., vector: _Optional[_Union[Vector, _Mapping]] = ..., metadata: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., create_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class RecommendRequest(_message.Message):
    __slots__ = ["collection", "ef_search", "exact", "filter", "group_by_content", "negative_ids", "negative_vectors", "positive_ids", "positive_vectors", "strategy", "top_k", "vector_encoding", "with_vectors"]
    COLLECTION_FIELD_NUMBER: _ClassVar[int]
    EF_SEARCH_FIELD_NUMBER: _ClassVar[int]
    EXACT_FIELD_NUMBER: _ClassVar[int]
    FILTER_FIELD_NUMBER: _ClassVar[int]
    GROUP_BY_CONTENT_FIELD_NUMBER: _ClassVar[int]
    NEGATIVE_IDS_FIELD_NUMBER: _ClassVar[int]
    NEGATIVE_VECTORS_FIELD_NUMBER: _ClassVar[int]
    POSITIVE_IDS_FIELD_NUMBER: _ClassVar[int]
    POSITIVE_VECTORS_FIELD_NUMBER: _ClassVar[int]
    STRATEGY_FIELD_NUMBER: _ClassVar[int]
    TOP_K_FIELD_NUMBER: _ClassVar[int]
    VECTOR_ENCODING_FIELD_NUMBER: _ClassVar[int]
    WITH_VECTORS_FIELD_NUMBER: _ClassVar[int]
    collection: str
    ef_search: int
    exact: bool
    filter: Filter
    group_by_content: bool
    negative_ids: _containers.RepeatedScalarFieldContainer[str]
    negative_vectors: _containers.RepeatedCompositeFieldContainer[Vector]
    positive_ids: _containers.RepeatedScalarFieldContainer[str]
    positive_vectors: _containers.RepeatedCompositeFieldContainer[Vector]
    strategy: RecommendStrategy
    top_k: int
    vector_encoding: VectorEncoding
    with_vectors: bool
    def __init__(self, collection: _Optional[str] = ..., positive_ids: _Optional[_Iterable[str]] = ..., negative_ids: _Optional[_Iterable[str]] = ..., positive_vectors: _Optional[_Iterable[_Union[Vector, _Mapping]]] = ..., negative_vectors: _Optional[_Iterable[_Union[Vector, _Mapping]]] = ..., strategy: _Optional[_Union[RecommendStrategy, str]] = ..., top_k: _Optional[int] = ..., filter: _Optional[_Union[Filter, _Mapping]] = ..., ef_search: _Optional[int] = ..., exact: bool = ..., group_by_content: bool = ..., with_vectors: bool = ..., vector_encoding: _Optional[_Union[VectorEncoding, str]] = ...) -> None: ...

class RecommendResponse(_message.Message):
    __slots__ = ["hits"]
    HITS_FIELD_NUMBER: _ClassVar[int]
    hits: _containers.RepeatedCompositeFieldContainer[ScoredPoint]
    def __init__(self, hits: _Optional[_Iterable[_Union[ScoredPoint, _Mapping]]] = ...) -> None: ...

class RejectedPoint(_message.Message):
    __slots__ = ["id", "index", "reason"]
    ID_FIELD_NUMBER: _ClassVar[int]
    INDEX_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    id: str
    index: int
    reason: str
    def __init__(self, index: _Optional[int] = ..., id: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class ScoredPoint(_message.Message):
    __slots__ = ["distance", "point", "score"]
    DISTANCE_FIELD_NUMBER: _ClassVar[int]
    POINT_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    distance: float
    point: Point
    score: float
    def __init__(self, point: _Optional[_Union[Point, _Mapping]] = ..., score: _Optional[float] = ..., distance: _Optional[float] = ...) -> None: ...

class ScrollRequest(_message.Message):
    __slots__ = ["collection", "filter", "page_size", "page_token", "vector_encoding", "with_vectors"]
    COLLECTION_FIELD_NUMBER: _ClassVar[int]
    FILTER_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    VECTOR_ENCODING_FIELD_NUMBER: _ClassVar[int]
    WITH_VECTORS_FIELD_NUMBER: _ClassVar[int]
    collection: str
    filter: Filter
    page_size: int
    page_token: str
    vector_encoding: VectorEncoding
    with_vectors: bool
    def __init__(self, collection: _Optional[str] = ..., filter: _Optional[_Union[Filter, _Mapping]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., with_vectors: bool = ..., vector_encoding: _Optional[_Union[VectorEncoding, str]] = ...) -> None: ...

class ScrollResponse(_message.Message):
    __slots__ = ["next_page_token", "points"]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    POINTS_FIELD_NUMBER: _ClassVar[int]
    next_page_token: str
    points: _containers.RepeatedCompositeFieldContainer[Point]
    def __init__(self, points: _Optional[_Iterable[_Union[Point, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class SearchBatchRequest(_message.Message):
    __slots__ = ["searches"]
    SEARCHES_FIELD_NUMBER: _ClassVar[int]
    searches: _containers.RepeatedCompositeFieldContainer[SearchRequest]
    def __init__(self, searches: _Optional[_Iterable[_Union[SearchRequest, _Mapping]]] = ...) -> None: ...

class SearchBatchResponse(_message.Message):
    __slots__ = ["results"]
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    results: _containers.RepeatedCompositeFieldContainer[SearchResponse]
    def __init__(self, results: _Optional[_Iterable[_Union[SearchResponse, _Mapping]]] = ...) -> None: ...

class SearchContentRequest(_message.Message):
    __slots__ = ["exact", "fusion", "keyword", "rescore", "rrf_k", "sub_queries", "top_k"]
    EXACT_FIELD_NUMBER: _ClassVar[int]
    FUSION_FIELD_NUMBER: _ClassVar[int]
    KEYWORD_FIELD_NUMBER: _ClassVar[int]
    RESCORE_FIELD_NUMBER: _ClassVar[int]
    RRF_K_FIELD_NUMBER: _ClassVar[int]
    SUB_QUERIES_FIELD_NUMBER: _ClassVar[int]
    TOP_K_FIELD_NUMBER: _ClassVar[int]
    exact: bool
    fusion: Fusion
    keyword: KeywordSubQuery
    rescore: bool
    rrf_k: int
    sub_queries: _containers.RepeatedCompositeFieldContainer[ContentSubQuery]
    top_k: int
    def __init__(self, sub_queries: _Optional[_Iterable[_Union[ContentSubQuery, _Mapping]]] = ..., keyword: _Optional[_Union[KeywordSubQuery, _Mapping]] = ..., fusion: _Optional[_Union[Fusion, str]] = ..., rrf_k: _Optional[int] = ..., top_k: _Optional[int] = ..., exact: bool = ..., rescore: bool = ...) -> None: ...

class SearchContentResponse(_message.Message):
    __slots__ = ["hits"]
    HITS_FIELD_NUMBER: _ClassVar[int]
    hits: _containers.RepeatedCompositeFieldContainer[ContentHit]
    def __init__(self, hits: _Optional[_Iterable[_Union[ContentHit, _Mapping]]] = ...) -> None: ...

class SearchRequest(_message.Message):
    __slots__ = ["collection", "ef_search", "exact", "filter", "group_by_content", "point_id", "top_k", "vector", "vector_encoding", "with_vectors"]
    COLLECTION_FIELD_NUMBER: _ClassVar[int]
    EF_SEARCH_FIELD_NUMBER: _ClassVar[int]
    EXACT_FIELD_NUMBER: _ClassVar[int]
    FILTER_FIELD_NUMBER: _ClassVar[int]
    GROUP_BY_CONTENT_FIELD_NUMBER: _ClassVar[int]
    POINT_ID_FIELD_NUMBER: _ClassVar[int]
    TOP_K_FIELD_NUMBER: _ClassVar[int]
    VECTOR_ENCODING_FIELD_NUMBER: _ClassVar[int]
    VECTOR_FIELD_NUMBER: _ClassVar[int]
    WITH_VECTORS_FIELD_NUMBER: _ClassVar[int]
    collection: str
    ef_search: int
    exact: bool
    filter: Filter
    group_by_content: bool
    point_id: str
    top_k: int
    vector: Vector
    vector_encoding: VectorEncoding
    with_vectors: bool
    def __init__(self, collection: _Optional[str] = ..., vector: _Optional[_Union[Vector, _Mapping]] = ..., point_id: _Optional[str] = ..., top_k: _Optional[int] = ..., filter: _Optional[_Union[Filter, _Mapping]] = ..., ef_search: _Optional[int] = ..., exact: bool = ..., group_by_content: bool = ..., with_vectors: bool = ..., vector_encoding: _Optional[_Union[VectorEncoding, str]] = ...) -> None: ...

class SearchResponse(_message.Message):
    __slots__ = ["hits"]
    HITS_FIELD_NUMBER: _ClassVar[int]
    hits: _containers.RepeatedCompositeFieldContainer[ScoredPoint]
    def __init__(self, hits: _Optional[_Iterable[_Union[ScoredPoint, _Mapping]]] = ...) -> None: ...

class SubQueryEvidence(_message.Message):
    __slots__ = ["point_id", "rank", "score"]
    POINT_ID_FIELD_NUMBER: _ClassVar[int]
    RANK_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    point_id: str
    rank: int
    score: float
    def __init__(self, point_id: _Optional[str] = ..., score: _Optional[float] = ..., rank: _Optional[int] = ...) -> None: ...

class SwitchAliasRequest(_message.Message):
    __slots__ = ["alias", "collection"]
    ALIAS_FIELD_NUMBER: _ClassVar[int]
    COLLECTION_FIELD_NUMBER: _ClassVar[int]
    alias: str
    collection: str
    def __init__(self, alias: _Optional[str] = ..., collection: _Optional[str] = ...) -> None: ...

class SwitchAliasResponse(_message.Message):
    __slots__ = ["alias", "previous_collection"]
    ALIAS_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_COLLECTION_FIELD_NUMBER: _ClassVar[int]
    alias: Alias
    previous_collection: str
    def __init__(self, alias: _Optional[_Union[Alias, _Mapping]] = ..., previous_collection: _Optional[str] = ...) -> None: ...

class UpdateMetadataRequest(_message.Message):
    __slots__ = ["collection", "ids", "metadata", "mode"]
    COLLECTION_FIELD_NUMBER: _ClassVar[int]
    IDS_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    MODE_FIELD_NUMBER: _ClassVar[int]
    collection: str
    ids: _containers.RepeatedScalarFieldContainer[str]
    metadata: _struct_pb2.Struct
    mode: MetadataUpdateMode
    def __init__(self, collection: _Optional[str] = ..., ids: _Optional[_Iterable[str]] = ..., metadata: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., mode: _Optional[_Union[MetadataUpdateMode, str]] = ...) -> None: ...

class UpdateMetadataResponse(_message.Message):
    __slots__ = ["updated_count"]
    UPDATED_COUNT_FIELD_NUMBER: _ClassVar[int]
    updated_count: int
    def __init__(self, updated_count: _Optional[int] = ...) -> None: ...

class UpsertRequest(_message.Message):
    __slots__ = ["collection", "points"]
    COLLECTION_FIELD_NUMBER: _ClassVar[int]
    POINTS_FIELD_NUMBER: _ClassVar[int]
    collection: str
    points: _containers.RepeatedCompositeFieldContainer[Point]
    def __init__(self, collection: _Optional[str] = ..., points: _Optional[_Iterable[_Union[Point, _Mapping]]] = ...) -> None: ...

class UpsertResponse(_message.Message):
    __slots__ = ["inserted_count", "updated_count"]
    INSERTED_COUNT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_COUNT_FIELD_NUMBER: _ClassVar[int]
    inserted_count: int
    updated_count: int
    def __init__(self, inserted_count: _Optional[int] = ..., updated_count: _Optional[int] = ...) -> None: ...

class UpsertStreamRequest(_message.Message):
    __slots__ = ["collection", "points"]
    COLLECTION_FIELD_NUMBER: _ClassVar[int]
    POINTS_FIELD_NUMBER: _ClassVar[int]
    collection: str
    points: _containers.RepeatedCompositeFieldContainer[Point]
    def __init__(self, collection: _Optional[str] = ..., points: _Optional[_Iterable[_Union[Point, _Mapping]]] = ...) -> None: ...

class UpsertStreamResponse(_message.Message):
    __slots__ = ["inserted_count", "rejected", "rejected_count", "updated_count"]
    INSERTED_COUNT_FIELD_NUMBER: _ClassVar[int]
    REJECTED_COUNT_FIELD_NUMBER: _ClassVar[int]
    REJECTED_FIELD_NUMBER: _ClassVar[int]
    UPDATED_COUNT_FIELD_NUMBER: _ClassVar[int]
    inserted_count: int
    rejected: _containers.RepeatedCompositeFieldContainer[RejectedPoint]
    rejected_count: int
    updated_count: int
    def __init__(self, inserted_count: _Optional[int] = ..., updated_count: _Optional[int] = ..., rejected_count: _Optional[int] = ..., rejected: _Optional[_Iterable[_Union[RejectedPoint, _Mapping]]] = ...) -> None: ...

class Vector(_message.Message):
    __slots__ = ["float32_le", "values"]
    FLOAT32_LE_FIELD_NUMBER: _ClassVar[int]
    VALUES_FIELD_NUMBER: _ClassVar[int]
    float32_le: bytes
    values: _containers.RepeatedScalarFieldContainer[float]
    def __init__(self, values: _Optional[_Iterable[float]] = ..., float32_le: _Optional[bytes] = ...) -> None: ...

class EmbeddingType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class Distance(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class Precision(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class VectorEncoding(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class MetadataUpdateMode(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class IndexState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class RecommendStrategy(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class Fusion(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []
