from google.protobuf import timestamp_pb2 as _timestamp_pb2
from stakazo.ml.v1 import common_pb2 as _common_pb2
from stakazo.ml.v1 import experiment_pb2 as _experiment_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor
KEY_MOMENT_KIND_DIP: KeyMomentKind
KEY_MOMENT_KIND_INTRO: KeyMomentKind
KEY_MOMENT_KIND_SPIKE: KeyMomentKind
KEY_MOMENT_KIND_UNSPECIFIED: KeyMomentKind
RECOMMENDATION_KIND_AESTHETIC: RecommendationKind
RECOMMENDATION_KIND_CAPTION: RecommendationKind
RECOMMENDATION_KIND_CTA: RecommendationKind
RECOMMENDATION_KIND_DURATION: RecommendationKind
RECOMMENDATION_KIND_HASHTAGS: RecommendationKind
RECOMMENDATION_KIND_HOOK: RecommendationKind
RECOMMENDATION_KIND_PLATFORM_FOCUS: RecommendationKind
RECOMMENDATION_KIND_POSTING_TIME: RecommendationKind
RECOMMENDATION_KIND_POSTING_WEEKDAY: RecommendationKind
RECOMMENDATION_KIND_QUALITY: RecommendationKind
RECOMMENDATION_KIND_UNSPECIFIED: RecommendationKind
REPROCESS_MODE_ALL: ReprocessMode
REPROCESS_MODE_FAILED: ReprocessMode
REPROCESS_MODE_NONE: ReprocessMode
REPROCESS_MODE_UNSPECIFIED: ReprocessMode
RUN_STATUS_FAILED: RunStatus
RUN_STATUS_RUNNING: RunStatus
RUN_STATUS_SUCCEEDED: RunStatus
RUN_STATUS_UNSPECIFIED: RunStatus
TIMING_METRIC_ENGAGEMENT_RATE: TimingMetric
TIMING_METRIC_UNSPECIFIED: TimingMetric
TIMING_METRIC_VIEWS: TimingMetric

class BackfillRequest(_message.Message):
    __slots__ = ["end_day", "reprocess", "start_day"]
    END_DAY_FIELD_NUMBER: _ClassVar[int]
    REPROCESS_FIELD_NUMBER: _ClassVar[int]
    START_DAY_FIELD_NUMBER: _ClassVar[int]
    end_day: str
    reprocess: ReprocessMode
    start_day: str
    def __init__(self, start_day: _Optional[str] = ..., end_day: _Optional[str] = ..., reprocess: _Optional[_Union[ReprocessMode, str]] = ...) -> None: ...

class BackfillResponse(_message.Message):
    __slots__ = ["days_run_count", "runs"]
    DAYS_RUN_COUNT_FIELD_NUMBER: _ClassVar[int]
    RUNS_FIELD_NUMBER: _ClassVar[int]
    days_run_count: int
    runs: _containers.RepeatedCompositeFieldContainer[LearningRun]
    def __init__(self, runs: _Optional[_Iterable[_Union[LearningRun, _Mapping]]] = ..., days_run_count: _Optional[int] = ...) -> None: ...

class BuildDailySnapshotRequest(_message.Message):
    __slots__ = ["day"]
    DAY_FIELD_NUMBER: _ClassVar[int]
    day: str
    def __init__(self, day: _Optional[str] = ...) -> None: ...

class BuildDailySnapshotResponse(_message.Message):
    __slots__ = ["snapshots"]
    SNAPSHOTS_FIELD_NUMBER: _ClassVar[int]
    snapshots: _containers.RepeatedCompositeFieldContainer[_common_pb2.DailySnapshot]
    def __init__(self, snapshots: _Optional[_Iterable[_Union[_common_pb2.DailySnapshot, _Mapping]]] = ...) -> None: ...

class ContributingFactor(_message.Message):
    __slots__ = ["contribution_points", "factor", "value", "weight"]
    CONTRIBUTION_POINTS_FIELD_NUMBER: _ClassVar[int]
    FACTOR_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    WEIGHT_FIELD_NUMBER: _ClassVar[int]
    contribution_points: float
    factor: str
    value: float
    weight: float
    def __init__(self, factor: _Optional[str] = ..., weight: _Optional[float] = ..., value: _Optional[float] = ..., contribution_points: _Optional[float] = ...) -> None: ...

class DropOffPoint(_message.Message):
    __slots__ = ["loss_fraction", "position_percent", "position_s"]
    LOSS_FRACTION_FIELD_NUMBER: _ClassVar[int]
    POSITION_PERCENT_FIELD_NUMBER: _ClassVar[int]
    POSITION_S_FIELD_NUMBER: _ClassVar[int]
    loss_fraction: float
    position_percent: float
    position_s: float
    def __init__(self, position_s: _Optional[float] = ..., position_percent: _Optional[float] = ..., loss_fraction: _Optional[float] = ...) -> None: ...

class FeatureContribution(_message.Message):
    __slots__ = ["feature", "label", "log_views"]
    FEATURE_FIELD_NUMBER: _ClassVar[int]
    LABEL_FIELD_NUMBER: _ClassVar[int]
    LOG_VIEWS_FIELD_NUMBER: _ClassVar[int]
    feature: str
    label: str
    log_views: float
    def __init__(self, feature: _Optional[str] = ..., log_views: _Optional[float] = ..., label: _Optional[str] = ...) -> None: ...

class GetBestTimeToPostRequest(_message.Message):
    __slots__ = ["after_time", "lookback_days", "metric", "platform", "time_zone"]
    AFTER_TIME_FIELD_NUMBER: _ClassVar[int]
    LOOKBACK_DAYS_FIELD_NUMBER: _ClassVar[int]
    METRIC_FIELD_NUMBER: _ClassVar[int]
    PLATFORM_FIELD_NUMBER: _ClassVar[int]
    TIME_ZONE_FIELD_NUMBER: _ClassVar[int]
    after_time: _timestamp_pb2.Timestamp
    lookback_days: int
    metric: TimingMetric
    platform: _common_pb2.Platform
    time_zone: str
    def __init__(self, platform: _Optional[_Union[_common_pb2.Platform, str]] = ..., time_zone: _Optional[str] = ..., lookback_days: _Optional[int] = ..., metric: _Optional[_Union[TimingMetric, str]] = ..., after_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class GetBestTimeToPostResponse(_message.Message):
    __slots__ = ["cells", "confidence", "hour_effects", "next_best_slot_time", "platform_mean", "sample_size", "source", "top_hours", "top_slots", "top_weekdays", "weekday_effects"]
    CELLS_FIELD_NUMBER: _ClassVar[int]
    CONFIDENCE_FIELD_NUMBER: _ClassVar[int]
    HOUR_EFFECTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_BEST_SLOT_TIME_FIELD_NUMBER: _ClassVar[int]
    PLATFORM_MEAN_FIELD_NUMBER: _ClassVar[int]
    SAMPLE_SIZE_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    TOP_HOURS_FIELD_NUMBER: _ClassVar[int]
    TOP_SLOTS_FIELD_NUMBER: _ClassVar[int]
    TOP_WEEKDAYS_FIELD_NUMBER: _ClassVar[int]
    WEEKDAY_EFFECTS_FIELD_NUMBER: _ClassVar[int]
    cells: _containers.RepeatedCompositeFieldContainer[TimeSlot]
    confidence: float
    hour_effects: _containers.RepeatedCompositeFieldContainer[TimeEffect]
    next_best_slot_time: _timestamp_pb2.Timestamp
    platform_mean: float
    sample_size: int
    source: str
    top_hours: _containers.RepeatedScalarFieldContainer[int]
    top_slots: _containers.RepeatedCompositeFieldContainer[TimeSlot]
    top_weekdays: _containers.RepeatedScalarFieldContainer[_common_pb2.Weekday]
    weekday_effects: _containers.RepeatedCompositeFieldContainer[TimeEffect]
    def __init__(self, cells: _Optional[_Iterable[_Union[TimeSlot, _Mapping]]] = ..., top_hours: _Optional[_Iterable[int]] = ..., top_weekdays: _Optional[_Iterable[_Union[_common_pb2.Weekday, str]]] = ..., top_slots: _Optional[_Iterable[_Union[TimeSlot, _Mapping]]] = ..., confidence: _Optional[float] = ..., sample_size: _Optional[int] = ..., platform_mean: _Optional[float] = ..., next_best_slot_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., source: _Optional[str] = ..., hour_effects: _Optional[_Iterable[_Union[TimeEffect, _Mapping]]] = ..., weekday_effects: _Optional[_Iterable[_Union[TimeEffect, _Mapping]]] = ...) -> None: ...

class GetDailySnapshotRequest(_message.Message):
    __slots__ = ["day", "platform"]
    DAY_FIELD_NUMBER: _ClassVar[int]
    PLATFORM_FIELD_NUMBER: _ClassVar[int]
    day: str
    platform: _common_pb2.Platform
    def __init__(self, day: _Optional[str] = ..., platform: _Optional[_Union[_common_pb2.Platform, str]] = ...) -> None: ...

class GetDailySnapshotResponse(_message.Message):
    __slots__ = ["snapshots"]
    SNAPSHOTS_FIELD_NUMBER: _ClassVar[int]
    snapshots: _containers.RepeatedCompositeFieldContainer[_common_pb2.DailySnapshot]
    def __init__(self, snapshots: _Optional[_Iterable[_Union[_common_pb2.DailySnapshot, _Mapping]]] = ...) -> None: ...

class GetLearningReportRequest(_message.Message):
    __slots__ = ["day"]
    DAY_FIELD_NUMBER: _ClassVar[int]
    day: str
    def __init__(self, day: _Optional[str] = ...) -> None: ...

class GetLearningReportResponse(_message.Message):
    __slots__ = ["report", "run"]
    REPORT_FIELD_NUMBER: _ClassVar[int]
    RUN_FIELD_NUMBER: _ClassVar[int]
    report: LearningReport
    run: LearningRun
    def __init__(self, run: _Optional[_Union[LearningRun, _Mapping]] = ..., report: _Optional[_Union[LearningReport, _Mapping]] = ...) -> None: ...

class GetLearningSettingsRequest(_message.Message):
    __slots__ = []
    def __init__(self) -> None: ...

class GetLearningSettingsResponse(_message.Message):
    __slots__ = ["settings"]
    SETTINGS_FIELD_NUMBER: _ClassVar[int]
    settings: LearningSettings
    def __init__(self, settings: _Optional[_Union[LearningSettings, _Mapping]] = ...) -> None: ...

class GetRetentionAnalysisRequest(_message.Message):
    __slots__ = ["post_id"]
    POST_ID_FIELD_NUMBER: _ClassVar[int]
    post_id: str
    def __init__(self, post_id: _Optional[str] = ...) -> None: ...

class GetRetentionAnalysisResponse(_message.Message):
    __slots__ = ["analysis"]
    ANALYSIS_FIELD_NUMBER: _ClassVar[int]
    analysis: RetentionAnalysis
    def __init__(self, analysis: _Optional[_Union[RetentionAnalysis, _Mapping]] = ...) -> None: ...

class GetRetentionClustersRequest(_message.Message):
    __slots__ = ["end_day", "max_clusters", "platform", "start_day"]
    END_DAY_FIELD_NUMBER: _ClassVar[int]
    MAX_CLUSTERS_FIELD_NUMBER: _ClassVar[int]
    PLATFORM_FIELD_NUMBER: _ClassVar[int]
    START_DAY_FIELD_NUMBER: _ClassVar[int]
    end_day: str
    max_clusters: int
    platform: _common_pb2.Platform
    start_day: str
    def __init__(self, start_day: _Optional[str] = ..., end_day: _Optional[str] = ..., platform: _Optional[_Union[_common_pb2.Platform, str]] = ..., max_clusters: _Optional[int] = ...) -> None: ...

class GetRetentionClustersResponse(_message.Message):
    __slots__ = ["clusters", "posts_count", "silhouette"]
    CLUSTERS_FIELD_NUMBER: _ClassVar[int]
    POSTS_COUNT_FIELD_NUMBER: _ClassVar[int]
    SILHOUETTE_FIELD_NUMBER: _ClassVar[int]
    clusters: _containers.RepeatedCompositeFieldContainer[RetentionCluster]
    posts_count: int
    silhouette: float
    def __init__(self, clusters: _Optional[_Iterable[_Union[RetentionCluster, _Mapping]]] = ..., silhouette: _Optional[float] = ..., posts_count: _Optional[int] = ...) -> None: ...

class Insight(_message.Message):
    __slots__ = ["bucket", "bucket_mean", "confidence", "effect_size", "feature", "lift_fraction", "outcome", "rest_mean", "rest_sample_size", "sample_size", "small_sample", "text"]
    BUCKET_FIELD_NUMBER: _ClassVar[int]
    BUCKET_MEAN_FIELD_NUMBER: _ClassVar[int]
    CONFIDENCE_FIELD_NUMBER: _ClassVar[int]
    EFFECT_SIZE_FIELD_NUMBER: _ClassVar[int]
    FEATURE_FIELD_NUMBER: _ClassVar[int]
    LIFT_FRACTION_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    REST_MEAN_FIELD_NUMBER: _ClassVar[int]
    REST_SAMPLE_SIZE_FIELD_NUMBER: _ClassVar[int]
    SAMPLE_SIZE_FIELD_NUMBER: _ClassVar[int]
    SMALL_SAMPLE_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    bucket: str
    bucket_mean: float
    confidence: float
    effect_size: float
    feature: str
    lift_fraction: float
    outcome: str
    rest_mean: float
    rest_sample_size: int
    sample_size: int
    small_sample: bool
    text: str
    def __init__(self, feature: _Optional[str] = ..., bucket: _Optional[str] = ..., outcome: _Optional[str] = ..., bucket_mean: _Optional[float] = ..., rest_mean: _Optional[float] = ..., lift_fraction: _Optional[float] = ..., effect_size: _Optional[float] = ..., sample_size: _Optional[int] = ..., rest_sample_size: _Optional[int] = ..., confidence: _Optional[float] = ..., small_sample: bool = ..., text: _Optional[str] = ...) -> None: ...

class KeyMoment(_message.Message):
    __slots__ = ["description", "kind", "position_percent", "position_s", "retention"]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    POSITION_PERCENT_FIELD_NUMBER: _ClassVar[int]
    POSITION_S_FIELD_NUMBER: _ClassVar[int]
    RETENTION_FIELD_NUMBER: _ClassVar[int]
    description: str
    kind: KeyMomentKind
    position_percent: float
    position_s: float
    retention: float
    def __init__(self, kind: _Optional[_Union[KeyMomentKind, str]] = ..., position_s: _Optional[float] = ..., position_percent: _Optional[float] = ..., retention: _Optional[float] = ..., description: _Optional[str] = ...) -> None: ...

class LearningReport(_message.Message):
    __slots__ = ["best_performers", "clusters", "day", "empty", "experiments", "insights", "platforms", "posts_analysed", "recommendations", "snapshots", "summary", "worst_drop_offs"]
    BEST_PERFORMERS_FIELD_NUMBER: _ClassVar[int]
    CLUSTERS_FIELD_NUMBER: _ClassVar[int]
    DAY_FIELD_NUMBER: _ClassVar[int]
    EMPTY_FIELD_NUMBER: _ClassVar[int]
    EXPERIMENTS_FIELD_NUMBER: _ClassVar[int]
    INSIGHTS_FIELD_NUMBER: _ClassVar[int]
    PLATFORMS_FIELD_NUMBER: _ClassVar[int]
    POSTS_ANALYSED_FIELD_NUMBER: _ClassVar[int]
    RECOMMENDATIONS_FIELD_NUMBER: _ClassVar[int]
    SNAPSHOTS_FIELD_NUMBER: _ClassVar[int]
    SUMMARY_FIELD_NUMBER: _ClassVar[int]
    WORST_DROP_OFFS_FIELD_NUMBER: _ClassVar[int]
    best_performers: _containers.RepeatedCompositeFieldContainer[_common_pb2.TopPerformer]
    clusters: _containers.RepeatedCompositeFieldContainer[RetentionCluster]
    day: str
    empty: bool
    experiments: _containers.RepeatedCompositeFieldContainer[_experiment_pb2.ExperimentUpdate]
    insights: _containers.RepeatedCompositeFieldContainer[Insight]
    platforms: _containers.RepeatedCompositeFieldContainer[PlatformComparison]
    posts_analysed: int
    recommendations: _containers.RepeatedCompositeFieldContainer[Recommendation]
    snapshots: _containers.RepeatedCompositeFieldContainer[_common_pb2.DailySnapshot]
    summary: str
    worst_drop_offs: _containers.RepeatedCompositeFieldContainer[RetentionAnalysis]
    def __init__(self, day: _Optional[str] = ..., empty: bool = ..., summary: _Optional[str] = ..., posts_analysed: _Optional[int] = ..., snapshots: _Optional[_Iterable[_Union[_common_pb2.DailySnapshot, _Mapping]]] = ..., platforms: _Optional[_Iterable[_Union[PlatformComparison, _Mapping]]] = ..., clusters: _Optional[_Iterable[_Union[RetentionCluster, _Mapping]]] = ..., worst_drop_offs: _Optional[_Iterable[_Union[RetentionAnalysis, _Mapping]]] = ..., best_performers: _Optional[_Iterable[_Union[_common_pb2.TopPerformer, _Mapping]]] = ..., insights: _Optional[_Iterable[_Union[Insight, _Mapping]]] = ..., recommendations: _Optional[_Iterable[_Union[Recommendation, _Mapping]]] = ..., experiments: _Optional[_Iterable[_Union[_experiment_pb2.ExperimentUpdate, _Mapping]]] = ...) -> None: ...

class LearningRun(_message.Message):
    __slots__ = ["attempt", "day", "end_time", "error_message", "latest_observe_time", "model_versions", "rows_read", "start_time", "status", "steps", "trigger"]
    class ModelVersionsEntry(_message.Message):
        __slots__ = ["key", "value"]
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    ATTEMPT_FIELD_NUMBER: _ClassVar[int]
    DAY_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    ERROR_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    LATEST_OBSERVE_TIME_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSIONS_FIELD_NUMBER: _ClassVar[int]
    ROWS_READ_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    STEPS_FIELD_NUMBER: _ClassVar[int]
    TRIGGER_FIELD_NUMBER: _ClassVar[int]
    attempt: int
    day: str
    end_time: _timestamp_pb2.Timestamp
    error_message: str
    latest_observe_time: _timestamp_pb2.Timestamp
    model_versions: _containers.ScalarMap[str, str]
    rows_read: int
    start_time: _timestamp_pb2.Timestamp
    status: RunStatus
    steps: _containers.RepeatedCompositeFieldContainer[StepTiming]
    trigger: str
    def __init__(self, day: _Optional[str] = ..., status: _Optional[_Union[RunStatus, str]] = ..., start_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., steps: _Optional[_Iterable[_Union[StepTiming, _Mapping]]] = ..., rows_read: _Optional[int] = ..., latest_observe_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., model_versions: _Optional[_Mapping[str, str]] = ..., error_message: _Optional[str] = ..., attempt: _Optional[int] = ..., trigger: _Optional[str] = ...) -> None: ...

class LearningSettings(_message.Message):
    __slots__ = ["advice_min_lift_fraction", "advice_primary_outcome", "share_learning"]
    ADVICE_MIN_LIFT_FRACTION_FIELD_NUMBER: _ClassVar[int]
    ADVICE_PRIMARY_OUTCOME_FIELD_NUMBER: _ClassVar[int]
    SHARE_LEARNING_FIELD_NUMBER: _ClassVar[int]
    advice_min_lift_fraction: float
    advice_primary_outcome: str
    share_learning: bool
    def __init__(self, share_learning: bool = ..., advice_min_lift_fraction: _Optional[float] = ..., advice_primary_outcome: _Optional[str] = ...) -> None: ...

class LearningTrends(_message.Message):
    __slots__ = ["completion_rate_slope_per_day", "first_3s_loss_slope_per_day", "points", "retention_improving"]
    COMPLETION_RATE_SLOPE_PER_DAY_FIELD_NUMBER: _ClassVar[int]
    FIRST_3S_LOSS_SLOPE_PER_DAY_FIELD_NUMBER: _ClassVar[int]
    POINTS_FIELD_NUMBER: _ClassVar[int]
    RETENTION_IMPROVING_FIELD_NUMBER: _ClassVar[int]
    completion_rate_slope_per_day: float
    first_3s_loss_slope_per_day: float
    points: _containers.RepeatedCompositeFieldContainer[TrendPoint]
    retention_improving: bool
    def __init__(self, points: _Optional[_Iterable[_Union[TrendPoint, _Mapping]]] = ..., completion_rate_slope_per_day: _Optional[float] = ..., first_3s_loss_slope_per_day: _Optional[float] = ..., retention_improving: bool = ...) -> None: ...

class ListLearningRunsRequest(_message.Message):
    __slots__ = ["end_day", "page_size", "page_token", "start_day"]
    END_DAY_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    START_DAY_FIELD_NUMBER: _ClassVar[int]
    end_day: str
    page_size: int
    page_token: str
    start_day: str
    def __init__(self, start_day: _Optional[str] = ..., end_day: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListLearningRunsResponse(_message.Message):
    __slots__ = ["next_page_token", "runs", "trends"]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    RUNS_FIELD_NUMBER: _ClassVar[int]
    TRENDS_FIELD_NUMBER: _ClassVar[int]
    next_page_token: str
    runs: _containers.RepeatedCompositeFieldContainer[LearningRun]
    trends: LearningTrends
    def __init__(self, runs: _Optional[_Iterable[_Union[LearningRun, _Mapping]]] = ..., next_page_token: _Optional[str] = ..., trends: _Optional[_Union[LearningTrends, _Mapping]] = ...) -> None: ...

class OutcomeEffect(_message.Message):
    __slots__ = ["current_expected", "distinguishable", "lift_fraction", "lift_fraction_p10", "lift_fraction_p90", "outcome", "target_expected"]
    CURRENT_EXPECTED_FIELD_NUMBER: _ClassVar[int]
    DISTINGUISHABLE_FIELD_NUMBER: _ClassVar[int]
    LIFT_FRACTION_FIELD_NUMBER: _ClassVar[int]
    LIFT_FRACTION_P10_FIELD_NUMBER: _ClassVar[int]
    LIFT_FRACTION_P90_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    TARGET_EXPECTED_FIELD_NUMBER: _ClassVar[int]
    current_expected: float
    distinguishable: bool
    lift_fraction: float
    lift_fraction_p10: float
    lift_fraction_p90: float
    outcome: str
    target_expected: float
    def __init__(self, outcome: _Optional[str] = ..., lift_fraction: _Optional[float] = ..., lift_fraction_p10: _Optional[float] = ..., lift_fraction_p90: _Optional[float] = ..., current_expected: _Optional[float] = ..., target_expected: _Optional[float] = ..., distinguishable: bool = ...) -> None: ...

class PlatformComparison(_message.Message):
    __slots__ = ["mean_completion_rate", "mean_engagement_rate", "mean_first_3s_loss", "mean_views", "platform", "posts_count", "views_index"]
    MEAN_COMPLETION_RATE_FIELD_NUMBER: _ClassVar[int]
    MEAN_ENGAGEMENT_RATE_FIELD_NUMBER: _ClassVar[int]
    MEAN_FIRST_3S_LOSS_FIELD_NUMBER: _ClassVar[int]
    MEAN_VIEWS_FIELD_NUMBER: _ClassVar[int]
    PLATFORM_FIELD_NUMBER: _ClassVar[int]
    POSTS_COUNT_FIELD_NUMBER: _ClassVar[int]
    VIEWS_INDEX_FIELD_NUMBER: _ClassVar[int]
    mean_completion_rate: float
    mean_engagement_rate: float
    mean_first_3s_loss: float
    mean_views: float
    platform: _common_pb2.Platform
    posts_count: int
    views_index: float
    def __init__(self, platform: _Optional[_Union[_common_pb2.Platform, str]] = ..., posts_count: _Optional[int] = ..., mean_views: _Optional[float] = ..., mean_completion_rate: _Optional[float] = ..., mean_first_3s_loss: _Optional[float] = ..., mean_engagement_rate: _Optional[float] = ..., views_index: _Optional[float] = ...) -> None: ...

class PlatformRecommendation(_message.Message):
    __slots__ = ["platform", "predicted_views", "score", "text"]
    PLATFORM_FIELD_NUMBER: _ClassVar[int]
    PREDICTED_VIEWS_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    platform: _common_pb2.Platform
    predicted_views: float
    score: float
    text: str
    def __init__(self, platform: _Optional[_Union[_common_pb2.Platform, str]] = ..., predicted_views: _Optional[float] = ..., score: _Optional[float] = ..., text: _Optional[str] = ...) -> None: ...

class PredictViralityRequest(_message.Message):
    __slots__ = ["items"]
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    items: _containers.RepeatedCompositeFieldContainer[ViralityInput]
    def __init__(self, items: _Optional[_Iterable[_Union[ViralityInput, _Mapping]]] = ...) -> None: ...

class PredictViralityResponse(_message.Message):
    __slots__ = ["predictions"]
    PREDICTIONS_FIELD_NUMBER: _ClassVar[int]
    predictions: _containers.RepeatedCompositeFieldContainer[ViralityPrediction]
    def __init__(self, predictions: _Optional[_Iterable[_Union[ViralityPrediction, _Mapping]]] = ...) -> None: ...

class Recommendation(_message.Message):
    __slots__ = ["current_key", "current_value", "effects", "evidence", "expected_lift_fraction", "kind", "lever", "model_version", "outcome", "platform", "posts_behind", "target_key", "target_value", "text"]
    CURRENT_KEY_FIELD_NUMBER: _ClassVar[int]
    CURRENT_VALUE_FIELD_NUMBER: _ClassVar[int]
    EFFECTS_FIELD_NUMBER: _ClassVar[int]
    EVIDENCE_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_LIFT_FRACTION_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    LEVER_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    PLATFORM_FIELD_NUMBER: _ClassVar[int]
    POSTS_BEHIND_FIELD_NUMBER: _ClassVar[int]
    TARGET_KEY_FIELD_NUMBER: _ClassVar[int]
    TARGET_VALUE_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    current_key: str
    current_value: str
    effects: _containers.RepeatedCompositeFieldContainer[OutcomeEffect]
    evidence: Insight
    expected_lift_fraction: float
    kind: RecommendationKind
    lever: str
    model_version: str
    outcome: str
    platform: _common_pb2.Platform
    posts_behind: int
    target_key: str
    target_value: str
    text: str
    def __init__(self, kind: _Optional[_Union[RecommendationKind, str]] = ..., platform: _Optional[_Union[_common_pb2.Platform, str]] = ..., target_value: _Optional[str] = ..., expected_lift_fraction: _Optional[float] = ..., outcome: _Optional[str] = ..., evidence: _Optional[_Union[Insight, _Mapping]] = ..., text: _Optional[str] = ..., lever: _Optional[str] = ..., current_value: _Optional[str] = ..., current_key: _Optional[str] = ..., target_key: _Optional[str] = ..., effects: _Optional[_Iterable[_Union[OutcomeEffect, _Mapping]]] = ..., model_version: _Optional[str] = ..., posts_behind: _Optional[int] = ...) -> None: ...

class RetentionAnalysis(_message.Message):
    __slots__ = ["completion_rate", "content_id", "drop_off_points", "duration_s", "first_3s_loss", "key_moments", "observe_time", "platform", "post_id", "views"]
    COMPLETION_RATE_FIELD_NUMBER: _ClassVar[int]
    CONTENT_ID_FIELD_NUMBER: _ClassVar[int]
    DROP_OFF_POINTS_FIELD_NUMBER: _ClassVar[int]
    DURATION_S_FIELD_NUMBER: _ClassVar[int]
    FIRST_3S_LOSS_FIELD_NUMBER: _ClassVar[int]
    KEY_MOMENTS_FIELD_NUMBER: _ClassVar[int]
    OBSERVE_TIME_FIELD_NUMBER: _ClassVar[int]
    PLATFORM_FIELD_NUMBER: _ClassVar[int]
    POST_ID_FIELD_NUMBER: _ClassVar[int]
    VIEWS_FIELD_NUMBER: _ClassVar[int]
    completion_rate: float
    content_id: str
    drop_off_points: _containers.RepeatedCompositeFieldContainer[DropOffPoint]
    duration_s: float
    first_3s_loss: float
    key_moments: _containers.RepeatedCompositeFieldContainer[KeyMoment]
    observe_time: _timestamp_pb2.Timestamp
    platform: _common_pb2.Platform
    post_id: str
    views: int
    def __init__(self, post_id: _Optional[str] = ..., content_id: _Optional[str] = ..., platform: _Optional[_Union[_common_pb2.Platform, str]] = ..., duration_s: _Optional[float] = ..., views: _Optional[int] = ..., completion_rate: _Optional[float] = ..., first_3s_loss: _Optional[float] = ..., drop_off_points: _Optional[_Iterable[_Union[DropOffPoint, _Mapping]]] = ..., key_moments: _Optional[_Iterable[_Union[KeyMoment, _Mapping]]] = ..., observe_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class RetentionCluster(_message.Message):
    __slots__ = ["centroid_curve", "cluster_index", "example_post_ids", "label", "mean_completion_rate", "mean_first_3s_loss", "mean_views", "size"]
    CENTROID_CURVE_FIELD_NUMBER: _ClassVar[int]
    CLUSTER_INDEX_FIELD_NUMBER: _ClassVar[int]
    EXAMPLE_POST_IDS_FIELD_NUMBER: _ClassVar[int]
    LABEL_FIELD_NUMBER: _ClassVar[int]
    MEAN_COMPLETION_RATE_FIELD_NUMBER: _ClassVar[int]
    MEAN_FIRST_3S_LOSS_FIELD_NUMBER: _ClassVar[int]
    MEAN_VIEWS_FIELD_NUMBER: _ClassVar[int]
    SIZE_FIELD_NUMBER: _ClassVar[int]
    centroid_curve: _containers.RepeatedScalarFieldContainer[float]
    cluster_index: int
    example_post_ids: _containers.RepeatedScalarFieldContainer[str]
    label: str
    mean_completion_rate: float
    mean_first_3s_loss: float
    mean_views: float
    size: int
    def __init__(self, cluster_index: _Optional[int] = ..., label: _Optional[str] = ..., centroid_curve: _Optional[_Iterable[float]] = ..., size: _Optional[int] = ..., mean_views: _Optional[float] = ..., mean_completion_rate: _Optional[float] = ..., mean_first_3s_loss: _Optional[float] = ..., example_post_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class RunDailyLearningRequest(_message.Message):
    __slots__ = ["day", "force"]
    DAY_FIELD_NUMBER: _ClassVar[int]
    FORCE_FIELD_NUMBER: _ClassVar[int]
    day: str
    force: bool
    def __init__(self, day: _Optional[str] = ..., force: bool = ...) -> None: ...

class RunDailyLearningResponse(_message.Message):
    __slots__ = ["report", "reused", "run"]
    REPORT_FIELD_NUMBER: _ClassVar[int]
    REUSED_FIELD_NUMBER: _ClassVar[int]
    RUN_FIELD_NUMBER: _ClassVar[int]
    report: LearningReport
    reused: bool
    run: LearningRun
    def __init__(self, run: _Optional[_Union[LearningRun, _Mapping]] = ..., report: _Optional[_Union[LearningReport, _Mapping]] = ..., reused: bool = ...) -> None: ...

class SetLearningSettingsRequest(_message.Message):
    __slots__ = ["advice_min_lift_fraction", "advice_primary_outcome", "share_learning"]
    ADVICE_MIN_LIFT_FRACTION_FIELD_NUMBER: _ClassVar[int]
    ADVICE_PRIMARY_OUTCOME_FIELD_NUMBER: _ClassVar[int]
    SHARE_LEARNING_FIELD_NUMBER: _ClassVar[int]
    advice_min_lift_fraction: float
    advice_primary_outcome: str
    share_learning: bool
    def __init__(self, share_learning: bool = ..., advice_min_lift_fraction: _Optional[float] = ..., advice_primary_outcome: _Optional[str] = ...) -> None: ...

class SetLearningSettingsResponse(_message.Message):
    __slots__ = ["settings"]
    SETTINGS_FIELD_NUMBER: _ClassVar[int]
    settings: LearningSettings
    def __init__(self, settings: _Optional[_Union[LearningSettings, _Mapping]] = ...) -> None: ...

class StepTiming(_message.Message):
    __slots__ = ["duration_ms", "step"]
    DURATION_MS_FIELD_NUMBER: _ClassVar[int]
    STEP_FIELD_NUMBER: _ClassVar[int]
    duration_ms: float
    step: str
    def __init__(self, step: _Optional[str] = ..., duration_ms: _Optional[float] = ...) -> None: ...

class SuggestedChange(_message.Message):
    __slots__ = ["current_key", "lever", "predicted_views", "target_key", "text", "views_lift_fraction", "views_lift_fraction_p10", "views_lift_fraction_p90"]
    CURRENT_KEY_FIELD_NUMBER: _ClassVar[int]
    LEVER_FIELD_NUMBER: _ClassVar[int]
    PREDICTED_VIEWS_FIELD_NUMBER: _ClassVar[int]
    TARGET_KEY_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    VIEWS_LIFT_FRACTION_FIELD_NUMBER: _ClassVar[int]
    VIEWS_LIFT_FRACTION_P10_FIELD_NUMBER: _ClassVar[int]
    VIEWS_LIFT_FRACTION_P90_FIELD_NUMBER: _ClassVar[int]
    current_key: str
    lever: str
    predicted_views: float
    target_key: str
    text: str
    views_lift_fraction: float
    views_lift_fraction_p10: float
    views_lift_fraction_p90: float
    def __init__(self, lever: _Optional[str] = ..., current_key: _Optional[str] = ..., target_key: _Optional[str] = ..., views_lift_fraction: _Optional[float] = ..., views_lift_fraction_p10: _Optional[float] = ..., views_lift_fraction_p90: _Optional[float] = ..., predicted_views: _Optional[float] = ..., text: _Optional[str] = ...) -> None: ...

class TimeEffect(_message.Message):
    __slots__ = ["effect", "effect_p10", "effect_p90", "hour", "weekday"]
    EFFECT_FIELD_NUMBER: _ClassVar[int]
    EFFECT_P10_FIELD_NUMBER: _ClassVar[int]
    EFFECT_P90_FIELD_NUMBER: _ClassVar[int]
    HOUR_FIELD_NUMBER: _ClassVar[int]
    WEEKDAY_FIELD_NUMBER: _ClassVar[int]
    effect: float
    effect_p10: float
    effect_p90: float
    hour: int
    weekday: _common_pb2.Weekday
    def __init__(self, hour: _Optional[int] = ..., weekday: _Optional[_Union[_common_pb2.Weekday, str]] = ..., effect: _Optional[float] = ..., effect_p10: _Optional[float] = ..., effect_p90: _Optional[float] = ...) -> None: ...

class TimeSlot(_message.Message):
    __slots__ = ["hour", "mean", "sample_size", "shrunk_estimate", "weekday"]
    HOUR_FIELD_NUMBER: _ClassVar[int]
    MEAN_FIELD_NUMBER: _ClassVar[int]
    SAMPLE_SIZE_FIELD_NUMBER: _ClassVar[int]
    SHRUNK_ESTIMATE_FIELD_NUMBER: _ClassVar[int]
    WEEKDAY_FIELD_NUMBER: _ClassVar[int]
    hour: int
    mean: float
    sample_size: int
    shrunk_estimate: float
    weekday: _common_pb2.Weekday
    def __init__(self, weekday: _Optional[_Union[_common_pb2.Weekday, str]] = ..., hour: _Optional[int] = ..., mean: _Optional[float] = ..., sample_size: _Optional[int] = ..., shrunk_estimate: _Optional[float] = ...) -> None: ...

class TrendPoint(_message.Message):
    __slots__ = ["completion_rate", "day", "engagement_rate", "first_3s_loss", "posts_analysed"]
    COMPLETION_RATE_FIELD_NUMBER: _ClassVar[int]
    DAY_FIELD_NUMBER: _ClassVar[int]
    ENGAGEMENT_RATE_FIELD_NUMBER: _ClassVar[int]
    FIRST_3S_LOSS_FIELD_NUMBER: _ClassVar[int]
    POSTS_ANALYSED_FIELD_NUMBER: _ClassVar[int]
    completion_rate: float
    day: str
    engagement_rate: float
    first_3s_loss: float
    posts_analysed: int
    def __init__(self, day: _Optional[str] = ..., posts_analysed: _Optional[int] = ..., completion_rate: _Optional[float] = ..., first_3s_loss: _Optional[float] = ..., engagement_rate: _Optional[float] = ...) -> None: ...

class ViralityInput(_message.Message):
    __slots__ = ["content_id", "duration_s", "features", "horizon_hours", "planned_publish_time", "platform", "post_id", "time_zone"]
    CONTENT_ID_FIELD_NUMBER: _ClassVar[int]
    DURATION_S_FIELD_NUMBER: _ClassVar[int]
    FEATURES_FIELD_NUMBER: _ClassVar[int]
    HORIZON_HOURS_FIELD_NUMBER: _ClassVar[int]
    PLANNED_PUBLISH_TIME_FIELD_NUMBER: _ClassVar[int]
    PLATFORM_FIELD_NUMBER: _ClassVar[int]
    POST_ID_FIELD_NUMBER: _ClassVar[int]
    TIME_ZONE_FIELD_NUMBER: _ClassVar[int]
    content_id: str
    duration_s: float
    features: _common_pb2.ContentFeatures
    horizon_hours: float
    planned_publish_time: _timestamp_pb2.Timestamp
    platform: _common_pb2.Platform
    post_id: str
    time_zone: str
    def __init__(self, content_id: _Optional[str] = ..., features: _Optional[_Union[_common_pb2.ContentFeatures, _Mapping]] = ..., duration_s: _Optional[float] = ..., platform: _Optional[_Union[_common_pb2.Platform, str]] = ..., planned_publish_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., time_zone: _Optional[str] = ..., post_id: _Optional[str] = ..., horizon_hours: _Optional[float] = ...) -> None: ...

class ViralityPrediction(_message.Message):
    __slots__ = ["baseline_log_views", "boost_recommended", "cold_start", "content_id", "contributions", "factors", "forecast", "horizon_hours", "index", "model_trained_through", "model_version", "observed_age_hours", "platform_recommendations", "predicted_engagement_rate", "predicted_log_views", "predicted_views", "score", "suggested_changes", "views_p10", "views_p90"]
    BASELINE_LOG_VIEWS_FIELD_NUMBER: _ClassVar[int]
    BOOST_RECOMMENDED_FIELD_NUMBER: _ClassVar[int]
    COLD_START_FIELD_NUMBER: _ClassVar[int]
    CONTENT_ID_FIELD_NUMBER: _ClassVar[int]
    CONTRIBUTIONS_FIELD_NUMBER: _ClassVar[int]
    FACTORS_FIELD_NUMBER: _ClassVar[int]
    FORECAST_FIELD_NUMBER: _ClassVar[int]
    HORIZON_HOURS_FIELD_NUMBER: _ClassVar[int]
    INDEX_FIELD_NUMBER: _ClassVar[int]
    MODEL_TRAINED_THROUGH_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    OBSERVED_AGE_HOURS_FIELD_NUMBER: _ClassVar[int]
    PLATFORM_RECOMMENDATIONS_FIELD_NUMBER: _ClassVar[int]
    PREDICTED_ENGAGEMENT_RATE_FIELD_NUMBER: _ClassVar[int]
    PREDICTED_LOG_VIEWS_FIELD_NUMBER: _ClassVar[int]
    PREDICTED_VIEWS_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    SUGGESTED_CHANGES_FIELD_NUMBER: _ClassVar[int]
    VIEWS_P10_FIELD_NUMBER: _ClassVar[int]
    VIEWS_P90_FIELD_NUMBER: _ClassVar[int]
    baseline_log_views: float
    boost_recommended: bool
    cold_start: bool
    content_id: str
    contributions: _containers.RepeatedCompositeFieldContainer[FeatureContribution]
    factors: _containers.RepeatedCompositeFieldContainer[ContributingFactor]
    forecast: bool
    horizon_hours: float
    index: int
    model_trained_through: _timestamp_pb2.Timestamp
    model_version: str
    observed_age_hours: float
    platform_recommendations: _containers.RepeatedCompositeFieldContainer[PlatformRecommendation]
    predicted_engagement_rate: float
    predicted_log_views: float
    predicted_views: float
    score: float
    suggested_changes: _containers.RepeatedCompositeFieldContainer[SuggestedChange]
    views_p10: float
    views_p90: float
    def __init__(self, index: _Optional[int] = ..., content_id: _Optional[str] = ..., score: _Optional[float] = ..., predicted_views: _Optional[float] = ..., predicted_engagement_rate: _Optional[float] = ..., views_p10: _Optional[float] = ..., views_p90: _Optional[float] = ..., factors: _Optional[_Iterable[_Union[ContributingFactor, _Mapping]]] = ..., platform_recommendations: _Optional[_Iterable[_Union[PlatformRecommendation, _Mapping]]] = ..., boost_recommended: bool = ..., model_version: _Optional[str] = ..., cold_start: bool = ..., baseline_log_views: _Optional[float] = ..., predicted_log_views: _Optional[float] = ..., contributions: _Optional[_Iterable[_Union[FeatureContribution, _Mapping]]] = ..., forecast: bool = ..., observed_age_hours: _Optional[float] = ..., horizon_hours: _Optional[float] = ..., suggested_changes: _Optional[_Iterable[_Union[SuggestedChange, _Mapping]]] = ..., model_trained_through: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class RunStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class ReprocessMode(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class KeyMomentKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class RecommendationKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class TimingMetric(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []
