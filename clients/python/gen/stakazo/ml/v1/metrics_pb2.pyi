from google.protobuf import struct_pb2 as _struct_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from stakazo.ml.v1 import common_pb2 as _common_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor
METRIC_FAMILY_ENGAGEMENT: MetricFamily
METRIC_FAMILY_ENGINE_PERFORMANCE: MetricFamily
METRIC_FAMILY_META_LEARNING_SCORE: MetricFamily
METRIC_FAMILY_RETENTION: MetricFamily
METRIC_FAMILY_SATELLITE_PERFORMANCE: MetricFamily
METRIC_FAMILY_UNSPECIFIED: MetricFamily
METRIC_FAMILY_VIEWER_BEHAVIOR: MetricFamily

class Content(_message.Message):
    __slots__ = ["content_id", "create_time", "duration_s", "features", "metadata", "update_time"]
    CONTENT_ID_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    DURATION_S_FIELD_NUMBER: _ClassVar[int]
    FEATURES_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    content_id: str
    create_time: _timestamp_pb2.Timestamp
    duration_s: float
    features: _common_pb2.ContentFeatures
    metadata: _struct_pb2.Struct
    update_time: _timestamp_pb2.Timestamp
    def __init__(self, content_id: _Optional[str] = ..., duration_s: _Optional[float] = ..., features: _Optional[_Union[_common_pb2.ContentFeatures, _Mapping]] = ..., metadata: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., create_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class DeleteContentRequest(_message.Message):
    __slots__ = ["content_id"]
    CONTENT_ID_FIELD_NUMBER: _ClassVar[int]
    content_id: str
    def __init__(self, content_id: _Optional[str] = ...) -> None: ...

class DeleteContentResponse(_message.Message):
    __slots__ = ["points_deleted_count", "posts_deleted_count", "records_deleted_count"]
    POINTS_DELETED_COUNT_FIELD_NUMBER: _ClassVar[int]
    POSTS_DELETED_COUNT_FIELD_NUMBER: _ClassVar[int]
    RECORDS_DELETED_COUNT_FIELD_NUMBER: _ClassVar[int]
    points_deleted_count: int
    posts_deleted_count: int
    records_deleted_count: int
    def __init__(self, posts_deleted_count: _Optional[int] = ..., records_deleted_count: _Optional[int] = ..., points_deleted_count: _Optional[int] = ...) -> None: ...

class EngagementMetrics(_message.Message):
    __slots__ = ["comments", "follows", "impressions", "likes", "post_id", "reach", "saves", "shares"]
    COMMENTS_FIELD_NUMBER: _ClassVar[int]
    FOLLOWS_FIELD_NUMBER: _ClassVar[int]
    IMPRESSIONS_FIELD_NUMBER: _ClassVar[int]
    LIKES_FIELD_NUMBER: _ClassVar[int]
    POST_ID_FIELD_NUMBER: _ClassVar[int]
    REACH_FIELD_NUMBER: _ClassVar[int]
    SAVES_FIELD_NUMBER: _ClassVar[int]
    SHARES_FIELD_NUMBER: _ClassVar[int]
    comments: int
    follows: int
    impressions: int
    likes: int
    post_id: str
    reach: int
    saves: int
    shares: int
    def __init__(self, post_id: _Optional[str] = ..., likes: _Optional[int] = ..., comments: _Optional[int] = ..., shares: _Optional[int] = ..., saves: _Optional[int] = ..., follows: _Optional[int] = ..., reach: _Optional[int] = ..., impressions: _Optional[int] = ...) -> None: ...

class EnginePerformance(_message.Message):
    __slots__ = ["content_id", "cost_usd", "engine", "error_message", "latency_ms", "operation", "quality_outputs", "success"]
    class QualityOutputsEntry(_message.Message):
        __slots__ = ["key", "value"]
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: float
        def __init__(self, key: _Optional[str] = ..., value: _Optional[float] = ...) -> None: ...
    CONTENT_ID_FIELD_NUMBER: _ClassVar[int]
    COST_USD_FIELD_NUMBER: _ClassVar[int]
    ENGINE_FIELD_NUMBER: _ClassVar[int]
    ERROR_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    LATENCY_MS_FIELD_NUMBER: _ClassVar[int]
    OPERATION_FIELD_NUMBER: _ClassVar[int]
    QUALITY_OUTPUTS_FIELD_NUMBER: _ClassVar[int]
    SUCCESS_FIELD_NUMBER: _ClassVar[int]
    content_id: str
    cost_usd: float
    engine: str
    error_message: str
    latency_ms: float
    operation: str
    quality_outputs: _containers.ScalarMap[str, float]
    success: bool
    def __init__(self, engine: _Optional[str] = ..., operation: _Optional[str] = ..., content_id: _Optional[str] = ..., latency_ms: _Optional[float] = ..., cost_usd: _Optional[float] = ..., success: bool = ..., quality_outputs: _Optional[_Mapping[str, float]] = ..., error_message: _Optional[str] = ...) -> None: ...

class ExportMetricsRequest(_message.Message):
    __slots__ = ["end_time", "family", "platform", "start_time"]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    FAMILY_FIELD_NUMBER: _ClassVar[int]
    PLATFORM_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    end_time: _timestamp_pb2.Timestamp
    family: MetricFamily
    platform: _common_pb2.Platform
    start_time: _timestamp_pb2.Timestamp
    def __init__(self, family: _Optional[_Union[MetricFamily, str]] = ..., start_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., platform: _Optional[_Union[_common_pb2.Platform, str]] = ...) -> None: ...

class ExportMetricsResponse(_message.Message):
    __slots__ = ["records"]
    RECORDS_FIELD_NUMBER: _ClassVar[int]
    records: _containers.RepeatedCompositeFieldContainer[MetricRecord]
    def __init__(self, records: _Optional[_Iterable[_Union[MetricRecord, _Mapping]]] = ...) -> None: ...

class GetContentRequest(_message.Message):
    __slots__ = ["content_id"]
    CONTENT_ID_FIELD_NUMBER: _ClassVar[int]
    content_id: str
    def __init__(self, content_id: _Optional[str] = ...) -> None: ...

class GetContentResponse(_message.Message):
    __slots__ = ["content"]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    content: Content
    def __init__(self, content: _Optional[_Union[Content, _Mapping]] = ...) -> None: ...

class GetPostRequest(_message.Message):
    __slots__ = ["post_id"]
    POST_ID_FIELD_NUMBER: _ClassVar[int]
    post_id: str
    def __init__(self, post_id: _Optional[str] = ...) -> None: ...

class GetPostResponse(_message.Message):
    __slots__ = ["post"]
    POST_FIELD_NUMBER: _ClassVar[int]
    post: Post
    def __init__(self, post: _Optional[_Union[Post, _Mapping]] = ...) -> None: ...

class ListContentRequest(_message.Message):
    __slots__ = ["page_size", "page_token"]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListContentResponse(_message.Message):
    __slots__ = ["contents", "next_page_token"]
    CONTENTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    contents: _containers.RepeatedCompositeFieldContainer[Content]
    next_page_token: str
    def __init__(self, contents: _Optional[_Iterable[_Union[Content, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class ListDailySnapshotsRequest(_message.Message):
    __slots__ = ["end_day", "platform", "start_day"]
    END_DAY_FIELD_NUMBER: _ClassVar[int]
    PLATFORM_FIELD_NUMBER: _ClassVar[int]
    START_DAY_FIELD_NUMBER: _ClassVar[int]
    end_day: str
    platform: _common_pb2.Platform
    start_day: str
    def __init__(self, start_day: _Optional[str] = ..., end_day: _Optional[str] = ..., platform: _Optional[_Union[_common_pb2.Platform, str]] = ...) -> None: ...

class ListDailySnapshotsResponse(_message.Message):
    __slots__ = ["snapshots"]
    SNAPSHOTS_FIELD_NUMBER: _ClassVar[int]
    snapshots: _containers.RepeatedCompositeFieldContainer[_common_pb2.DailySnapshot]
    def __init__(self, snapshots: _Optional[_Iterable[_Union[_common_pb2.DailySnapshot, _Mapping]]] = ...) -> None: ...

class ListPostsRequest(_message.Message):
    __slots__ = ["content_id", "page_size", "page_token", "platform"]
    CONTENT_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    PLATFORM_FIELD_NUMBER: _ClassVar[int]
    content_id: str
    page_size: int
    page_token: str
    platform: _common_pb2.Platform
    def __init__(self, content_id: _Optional[str] = ..., platform: _Optional[_Union[_common_pb2.Platform, str]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListPostsResponse(_message.Message):
    __slots__ = ["next_page_token", "posts"]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    POSTS_FIELD_NUMBER: _ClassVar[int]
    next_page_token: str
    posts: _containers.RepeatedCompositeFieldContainer[Post]
    def __init__(self, posts: _Optional[_Iterable[_Union[Post, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class MetaLearningScore(_message.Message):
    __slots__ = ["component", "context", "metric", "score"]
    COMPONENT_FIELD_NUMBER: _ClassVar[int]
    CONTEXT_FIELD_NUMBER: _ClassVar[int]
    METRIC_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    component: str
    context: _struct_pb2.Struct
    metric: str
    score: float
    def __init__(self, component: _Optional[str] = ..., metric: _Optional[str] = ..., score: _Optional[float] = ..., context: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class MetricRecord(_message.Message):
    __slots__ = ["engagement", "engine_performance", "meta_learning_score", "observe_time", "record_id", "retention", "satellite_performance", "viewer_behavior"]
    ENGAGEMENT_FIELD_NUMBER: _ClassVar[int]
    ENGINE_PERFORMANCE_FIELD_NUMBER: _ClassVar[int]
    META_LEARNING_SCORE_FIELD_NUMBER: _ClassVar[int]
    OBSERVE_TIME_FIELD_NUMBER: _ClassVar[int]
    RECORD_ID_FIELD_NUMBER: _ClassVar[int]
    RETENTION_FIELD_NUMBER: _ClassVar[int]
    SATELLITE_PERFORMANCE_FIELD_NUMBER: _ClassVar[int]
    VIEWER_BEHAVIOR_FIELD_NUMBER: _ClassVar[int]
    engagement: EngagementMetrics
    engine_performance: EnginePerformance
    meta_learning_score: MetaLearningScore
    observe_time: _timestamp_pb2.Timestamp
    record_id: str
    retention: RetentionMetrics
    satellite_performance: SatellitePerformance
    viewer_behavior: ViewerBehavior
    def __init__(self, record_id: _Optional[str] = ..., observe_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., retention: _Optional[_Union[RetentionMetrics, _Mapping]] = ..., engagement: _Optional[_Union[EngagementMetrics, _Mapping]] = ..., viewer_behavior: _Optional[_Union[ViewerBehavior, _Mapping]] = ..., engine_performance: _Optional[_Union[EnginePerformance, _Mapping]] = ..., satellite_performance: _Optional[_Union[SatellitePerformance, _Mapping]] = ..., meta_learning_score: _Optional[_Union[MetaLearningScore, _Mapping]] = ...) -> None: ...

class Post(_message.Message):
    __slots__ = ["account", "content_id", "create_time", "platform", "post_id", "publish_time", "time_zone", "update_time"]
    ACCOUNT_FIELD_NUMBER: _ClassVar[int]
    CONTENT_ID_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    PLATFORM_FIELD_NUMBER: _ClassVar[int]
    POST_ID_FIELD_NUMBER: _ClassVar[int]
    PUBLISH_TIME_FIELD_NUMBER: _ClassVar[int]
    TIME_ZONE_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    account: str
    content_id: str
    create_time: _timestamp_pb2.Timestamp
    platform: _common_pb2.Platform
    post_id: str
    publish_time: _timestamp_pb2.Timestamp
    time_zone: str
    update_time: _timestamp_pb2.Timestamp
    def __init__(self, post_id: _Optional[str] = ..., content_id: _Optional[str] = ..., platform: _Optional[_Union[_common_pb2.Platform, str]] = ..., account: _Optional[str] = ..., publish_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., time_zone: _Optional[str] = ..., create_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class QueryMetricsRequest(_message.Message):
    __slots__ = ["content_ids", "end_time", "family", "latest_only", "page_size", "page_token", "platform", "post_ids", "start_time"]
    CONTENT_IDS_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    FAMILY_FIELD_NUMBER: _ClassVar[int]
    LATEST_ONLY_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    PLATFORM_FIELD_NUMBER: _ClassVar[int]
    POST_IDS_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    content_ids: _containers.RepeatedScalarFieldContainer[str]
    end_time: _timestamp_pb2.Timestamp
    family: MetricFamily
    latest_only: bool
    page_size: int
    page_token: str
    platform: _common_pb2.Platform
    post_ids: _containers.RepeatedScalarFieldContainer[str]
    start_time: _timestamp_pb2.Timestamp
    def __init__(self, family: _Optional[_Union[MetricFamily, str]] = ..., post_ids: _Optional[_Iterable[str]] = ..., content_ids: _Optional[_Iterable[str]] = ..., platform: _Optional[_Union[_common_pb2.Platform, str]] = ..., start_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., latest_only: bool = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class QueryMetricsResponse(_message.Message):
    __slots__ = ["next_page_token", "records"]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    RECORDS_FIELD_NUMBER: _ClassVar[int]
    next_page_token: str
    records: _containers.RepeatedCompositeFieldContainer[MetricRecord]
    def __init__(self, records: _Optional[_Iterable[_Union[MetricRecord, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class RecordMetricsRequest(_message.Message):
    __slots__ = ["all_or_nothing", "records"]
    ALL_OR_NOTHING_FIELD_NUMBER: _ClassVar[int]
    RECORDS_FIELD_NUMBER: _ClassVar[int]
    all_or_nothing: bool
    records: _containers.RepeatedCompositeFieldContainer[MetricRecord]
    def __init__(self, records: _Optional[_Iterable[_Union[MetricRecord, _Mapping]]] = ..., all_or_nothing: bool = ...) -> None: ...

class RecordMetricsResponse(_message.Message):
    __slots__ = ["accepted_count", "duplicate_count", "rejected", "rejected_count"]
    ACCEPTED_COUNT_FIELD_NUMBER: _ClassVar[int]
    DUPLICATE_COUNT_FIELD_NUMBER: _ClassVar[int]
    REJECTED_COUNT_FIELD_NUMBER: _ClassVar[int]
    REJECTED_FIELD_NUMBER: _ClassVar[int]
    accepted_count: int
    duplicate_count: int
    rejected: _containers.RepeatedCompositeFieldContainer[RejectedRecord]
    rejected_count: int
    def __init__(self, accepted_count: _Optional[int] = ..., duplicate_count: _Optional[int] = ..., rejected_count: _Optional[int] = ..., rejected: _Optional[_Iterable[_Union[RejectedRecord, _Mapping]]] = ...) -> None: ...

class RegisterContentRequest(_message.Message):
    __slots__ = ["content"]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    content: Content
    def __init__(self, content: _Optional[_Union[Content, _Mapping]] = ...) -> None: ...

class RegisterContentResponse(_message.Message):
    __slots__ = ["content", "created"]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    CREATED_FIELD_NUMBER: _ClassVar[int]
    content: Content
    created: bool
    def __init__(self, content: _Optional[_Union[Content, _Mapping]] = ..., created: bool = ...) -> None: ...

class RegisterPostRequest(_message.Message):
    __slots__ = ["post"]
    POST_FIELD_NUMBER: _ClassVar[int]
    post: Post
    def __init__(self, post: _Optional[_Union[Post, _Mapping]] = ...) -> None: ...

class RegisterPostResponse(_message.Message):
    __slots__ = ["created", "post"]
    CREATED_FIELD_NUMBER: _ClassVar[int]
    POST_FIELD_NUMBER: _ClassVar[int]
    created: bool
    post: Post
    def __init__(self, post: _Optional[_Union[Post, _Mapping]] = ..., created: bool = ...) -> None: ...

class RejectedRecord(_message.Message):
    __slots__ = ["field", "index", "reason", "record_id"]
    FIELD_FIELD_NUMBER: _ClassVar[int]
    INDEX_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    RECORD_ID_FIELD_NUMBER: _ClassVar[int]
    field: str
    index: int
    reason: str
    record_id: str
    def __init__(self, index: _Optional[int] = ..., record_id: _Optional[str] = ..., field: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class RetentionMetrics(_message.Message):
    __slots__ = ["average_view_duration_s", "completion_rate", "post_id", "retention_curve", "rewatch_rate", "skip_rate_first_3s", "views"]
    AVERAGE_VIEW_DURATION_S_FIELD_NUMBER: _ClassVar[int]
    COMPLETION_RATE_FIELD_NUMBER: _ClassVar[int]
    POST_ID_FIELD_NUMBER: _ClassVar[int]
    RETENTION_CURVE_FIELD_NUMBER: _ClassVar[int]
    REWATCH_RATE_FIELD_NUMBER: _ClassVar[int]
    SKIP_RATE_FIRST_3S_FIELD_NUMBER: _ClassVar[int]
    VIEWS_FIELD_NUMBER: _ClassVar[int]
    average_view_duration_s: float
    completion_rate: float
    post_id: str
    retention_curve: _containers.RepeatedScalarFieldContainer[float]
    rewatch_rate: float
    skip_rate_first_3s: float
    views: int
    def __init__(self, post_id: _Optional[str] = ..., views: _Optional[int] = ..., average_view_duration_s: _Optional[float] = ..., completion_rate: _Optional[float] = ..., rewatch_rate: _Optional[float] = ..., skip_rate_first_3s: _Optional[float] = ..., retention_curve: _Optional[_Iterable[float]] = ...) -> None: ...

class SatellitePerformance(_message.Message):
    __slots__ = ["followers_gained", "platform", "posts_count", "reach", "satellite_account", "views"]
    FOLLOWERS_GAINED_FIELD_NUMBER: _ClassVar[int]
    PLATFORM_FIELD_NUMBER: _ClassVar[int]
    POSTS_COUNT_FIELD_NUMBER: _ClassVar[int]
    REACH_FIELD_NUMBER: _ClassVar[int]
    SATELLITE_ACCOUNT_FIELD_NUMBER: _ClassVar[int]
    VIEWS_FIELD_NUMBER: _ClassVar[int]
    followers_gained: int
    platform: _common_pb2.Platform
    posts_count: int
    reach: int
    satellite_account: str
    views: int
    def __init__(self, satellite_account: _Optional[str] = ..., platform: _Optional[_Union[_common_pb2.Platform, str]] = ..., posts_count: _Optional[int] = ..., followers_gained: _Optional[int] = ..., reach: _Optional[int] = ..., views: _Optional[int] = ...) -> None: ...

class StreamMetricsRequest(_message.Message):
    __slots__ = ["records"]
    RECORDS_FIELD_NUMBER: _ClassVar[int]
    records: _containers.RepeatedCompositeFieldContainer[MetricRecord]
    def __init__(self, records: _Optional[_Iterable[_Union[MetricRecord, _Mapping]]] = ...) -> None: ...

class StreamMetricsResponse(_message.Message):
    __slots__ = ["accepted_count", "duplicate_count", "rejected", "rejected_count"]
    ACCEPTED_COUNT_FIELD_NUMBER: _ClassVar[int]
    DUPLICATE_COUNT_FIELD_NUMBER: _ClassVar[int]
    REJECTED_COUNT_FIELD_NUMBER: _ClassVar[int]
    REJECTED_FIELD_NUMBER: _ClassVar[int]
    accepted_count: int
    duplicate_count: int
    rejected: _containers.RepeatedCompositeFieldContainer[RejectedRecord]
    rejected_count: int
    def __init__(self, accepted_count: _Optional[int] = ..., duplicate_count: _Optional[int] = ..., rejected_count: _Optional[int] = ..., rejected: _Optional[_Iterable[_Union[RejectedRecord, _Mapping]]] = ...) -> None: ...

class ViewerBehavior(_message.Message):
    __slots__ = ["audience_regions", "new_viewer_fraction", "post_id", "returning_viewer_fraction", "traffic_sources", "watch_time_distribution"]
    class AudienceRegionsEntry(_message.Message):
        __slots__ = ["key", "value"]
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: float
        def __init__(self, key: _Optional[str] = ..., value: _Optional[float] = ...) -> None: ...
    class TrafficSourcesEntry(_message.Message):
        __slots__ = ["key", "value"]
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: float
        def __init__(self, key: _Optional[str] = ..., value: _Optional[float] = ...) -> None: ...
    AUDIENCE_REGIONS_FIELD_NUMBER: _ClassVar[int]
    NEW_VIEWER_FRACTION_FIELD_NUMBER: _ClassVar[int]
    POST_ID_FIELD_NUMBER: _ClassVar[int]
    RETURNING_VIEWER_FRACTION_FIELD_NUMBER: _ClassVar[int]
    TRAFFIC_SOURCES_FIELD_NUMBER: _ClassVar[int]
    WATCH_TIME_DISTRIBUTION_FIELD_NUMBER: _ClassVar[int]
    audience_regions: _containers.ScalarMap[str, float]
    new_viewer_fraction: float
    post_id: str
    returning_viewer_fraction: float
    traffic_sources: _containers.ScalarMap[str, float]
    watch_time_distribution: _containers.RepeatedScalarFieldContainer[float]
    def __init__(self, post_id: _Optional[str] = ..., traffic_sources: _Optional[_Mapping[str, float]] = ..., new_viewer_fraction: _Optional[float] = ..., returning_viewer_fraction: _Optional[float] = ..., audience_regions: _Optional[_Mapping[str, float]] = ..., watch_time_distribution: _Optional[_Iterable[float]] = ...) -> None: ...

class MetricFamily(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []
