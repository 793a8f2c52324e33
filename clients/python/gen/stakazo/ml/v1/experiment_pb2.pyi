from google.protobuf import timestamp_pb2 as _timestamp_pb2
from stakazo.ml.v1 import common_pb2 as _common_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor
EXPERIMENT_DECISION_CONTINUE: ExperimentDecision
EXPERIMENT_DECISION_STOP_GUARDRAIL: ExperimentDecision
EXPERIMENT_DECISION_STOP_NO_EFFECT: ExperimentDecision
EXPERIMENT_DECISION_STOP_WINNER: ExperimentDecision
EXPERIMENT_DECISION_UNSPECIFIED: ExperimentDecision
EXPERIMENT_METRIC_COMPLETION_RATE: ExperimentMetric
EXPERIMENT_METRIC_ENGAGEMENT_RATE: ExperimentMetric
EXPERIMENT_METRIC_FIRST_3S_LOSS: ExperimentMetric
EXPERIMENT_METRIC_UNSPECIFIED: ExperimentMetric
EXPERIMENT_METRIC_VIEWS: ExperimentMetric
EXPERIMENT_STATUS_RUNNING: ExperimentStatus
EXPERIMENT_STATUS_STOPPED: ExperimentStatus
EXPERIMENT_STATUS_UNSPECIFIED: ExperimentStatus

class AddPostsRequest(_message.Message):
    __slots__ = ["assignments", "experiment_id"]
    ASSIGNMENTS_FIELD_NUMBER: _ClassVar[int]
    EXPERIMENT_ID_FIELD_NUMBER: _ClassVar[int]
    assignments: _containers.RepeatedCompositeFieldContainer[PostAssignment]
    experiment_id: str
    def __init__(self, experiment_id: _Optional[str] = ..., assignments: _Optional[_Iterable[_Union[PostAssignment, _Mapping]]] = ...) -> None: ...

class AddPostsResponse(_message.Message):
    __slots__ = ["added_count", "also_in_running", "experiment", "unchanged_count"]
    ADDED_COUNT_FIELD_NUMBER: _ClassVar[int]
    ALSO_IN_RUNNING_FIELD_NUMBER: _ClassVar[int]
    EXPERIMENT_FIELD_NUMBER: _ClassVar[int]
    UNCHANGED_COUNT_FIELD_NUMBER: _ClassVar[int]
    added_count: int
    also_in_running: _containers.RepeatedCompositeFieldContainer[OtherExperimentAssignment]
    experiment: Experiment
    unchanged_count: int
    def __init__(self, added_count: _Optional[int] = ..., unchanged_count: _Optional[int] = ..., experiment: _Optional[_Union[Experiment, _Mapping]] = ..., also_in_running: _Optional[_Iterable[_Union[OtherExperimentAssignment, _Mapping]]] = ...) -> None: ...

class CreateExperimentRequest(_message.Message):
    __slots__ = ["guardrail_metrics", "horizon_hours", "hypothesis", "minimum_detectable_effect", "name", "planned_end_day", "platform", "primary_metric", "skip_covariate_adjustment", "variants"]
    GUARDRAIL_METRICS_FIELD_NUMBER: _ClassVar[int]
    HORIZON_HOURS_FIELD_NUMBER: _ClassVar[int]
    HYPOTHESIS_FIELD_NUMBER: _ClassVar[int]
    MINIMUM_DETECTABLE_EFFECT_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    PLANNED_END_DAY_FIELD_NUMBER: _ClassVar[int]
    PLATFORM_FIELD_NUMBER: _ClassVar[int]
    PRIMARY_METRIC_FIELD_NUMBER: _ClassVar[int]
    SKIP_COVARIATE_ADJUSTMENT_FIELD_NUMBER: _ClassVar[int]
    VARIANTS_FIELD_NUMBER: _ClassVar[int]
    guardrail_metrics: _containers.RepeatedScalarFieldContainer[ExperimentMetric]
    horizon_hours: int
    hypothesis: str
    minimum_detectable_effect: float
    name: str
    planned_end_day: str
    platform: _common_pb2.Platform
    primary_metric: ExperimentMetric
    skip_covariate_adjustment: bool
    variants: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, name: _Optional[str] = ..., hypothesis: _Optional[str] = ..., variants: _Optional[_Iterable[str]] = ..., primary_metric: _Optional[_Union[ExperimentMetric, str]] = ..., guardrail_metrics: _Optional[_Iterable[_Union[ExperimentMetric, str]]] = ..., platform: _Optional[_Union[_common_pb2.Platform, str]] = ..., minimum_detectable_effect: _Optional[float] = ..., horizon_hours: _Optional[int] = ..., planned_end_day: _Optional[str] = ..., skip_covariate_adjustment: bool = ...) -> None: ...

class CreateExperimentResponse(_message.Message):
    __slots__ = ["experiment"]
    EXPERIMENT_FIELD_NUMBER: _ClassVar[int]
    experiment: Experiment
    def __init__(self, experiment: _Optional[_Union[Experiment, _Mapping]] = ...) -> None: ...

class Experiment(_message.Message):
    __slots__ = ["covariate_adjustment", "create_time", "decision", "decision_reason", "experiment_id", "guardrail_metrics", "horizon_hours", "hypothesis", "minimum_detectable_effect", "name", "planned_end_day", "platform", "post_counts", "primary_metric", "status", "stop_time", "variants", "winner_variant"]
    COVARIATE_ADJUSTMENT_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    DECISION_FIELD_NUMBER: _ClassVar[int]
    DECISION_REASON_FIELD_NUMBER: _ClassVar[int]
    EXPERIMENT_ID_FIELD_NUMBER: _ClassVar[int]
    GUARDRAIL_METRICS_FIELD_NUMBER: _ClassVar[int]
    HORIZON_HOURS_FIELD_NUMBER: _ClassVar[int]
    HYPOTHESIS_FIELD_NUMBER: _ClassVar[int]
    MINIMUM_DETECTABLE_EFFECT_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    PLANNED_END_DAY_FIELD_NUMBER: _ClassVar[int]
    PLATFORM_FIELD_NUMBER: _ClassVar[int]
    POST_COUNTS_FIELD_NUMBER: _ClassVar[int]
    PRIMARY_METRIC_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    STOP_TIME_FIELD_NUMBER: _ClassVar[int]
    VARIANTS_FIELD_NUMBER: _ClassVar[int]
    WINNER_VARIANT_FIELD_NUMBER: _ClassVar[int]
    covariate_adjustment: bool
    create_time: _timestamp_pb2.Timestamp
    decision: ExperimentDecision
    decision_reason: str
    experiment_id: str
    guardrail_metrics: _containers.RepeatedScalarFieldContainer[ExperimentMetric]
    horizon_hours: int
    hypothesis: str
    minimum_detectable_effect: float
    name: str
    planned_end_day: str
    platform: _common_pb2.Platform
    post_counts: _containers.RepeatedScalarFieldContainer[int]
    primary_metric: ExperimentMetric
    status: ExperimentStatus
    stop_time: _timestamp_pb2.Timestamp
    variants: _containers.RepeatedScalarFieldContainer[str]
    winner_variant: str
    def __init__(self, experiment_id: _Optional[str] = ..., name: _Optional[str] = ..., hypothesis: _Optional[str] = ..., variants: _Optional[_Iterable[str]] = ..., primary_metric: _Optional[_Union[ExperimentMetric, str]] = ..., guardrail_metrics: _Optional[_Iterable[_Union[ExperimentMetric, str]]] = ..., platform: _Optional[_Union[_common_pb2.Platform, str]] = ..., minimum_detectable_effect: _Optional[float] = ..., horizon_hours: _Optional[int] = ..., planned_end_day: _Optional[str] = ..., covariate_adjustment: bool = ..., status: _Optional[_Union[ExperimentStatus, str]] = ..., decision: _Optional[_Union[ExperimentDecision, str]] = ..., decision_reason: _Optional[str] = ..., winner_variant: _Optional[str] = ..., create_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., stop_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., post_counts: _Optional[_Iterable[int]] = ...) -> None: ...

class ExperimentResultPoint(_message.Message):
    __slots__ = ["day", "decision", "variants"]
    DAY_FIELD_NUMBER: _ClassVar[int]
    DECISION_FIELD_NUMBER: _ClassVar[int]
    VARIANTS_FIELD_NUMBER: _ClassVar[int]
    day: str
    decision: ExperimentDecision
    variants: _containers.RepeatedCompositeFieldContainer[VariantResult]
    def __init__(self, day: _Optional[str] = ..., decision: _Optional[_Union[ExperimentDecision, str]] = ..., variants: _Optional[_Iterable[_Union[VariantResult, _Mapping]]] = ...) -> None: ...

class ExperimentUpdate(_message.Message):
    __slots__ = ["decision", "experiment_id", "name", "primary_metric", "reason", "stopped", "variants", "winner_variant"]
    DECISION_FIELD_NUMBER: _ClassVar[int]
    EXPERIMENT_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    PRIMARY_METRIC_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    STOPPED_FIELD_NUMBER: _ClassVar[int]
    VARIANTS_FIELD_NUMBER: _ClassVar[int]
    WINNER_VARIANT_FIELD_NUMBER: _ClassVar[int]
    decision: ExperimentDecision
    experiment_id: str
    name: str
    primary_metric: ExperimentMetric
    reason: str
    stopped: bool
    variants: _containers.RepeatedCompositeFieldContainer[VariantResult]
    winner_variant: str
    def __init__(self, experiment_id: _Optional[str] = ..., name: _Optional[str] = ..., primary_metric: _Optional[_Union[ExperimentMetric, str]] = ..., decision: _Optional[_Union[ExperimentDecision, str]] = ..., winner_variant: _Optional[str] = ..., reason: _Optional[str] = ..., variants: _Optional[_Iterable[_Union[VariantResult, _Mapping]]] = ..., stopped: bool = ...) -> None: ...

class GetExperimentRequest(_message.Message):
    __slots__ = ["experiment_id"]
    EXPERIMENT_ID_FIELD_NUMBER: _ClassVar[int]
    experiment_id: str
    def __init__(self, experiment_id: _Optional[str] = ...) -> None: ...

class GetExperimentResponse(_message.Message):
    __slots__ = ["experiment"]
    EXPERIMENT_FIELD_NUMBER: _ClassVar[int]
    experiment: Experiment
    def __init__(self, experiment: _Optional[_Union[Experiment, _Mapping]] = ...) -> None: ...

class GetExperimentResultRequest(_message.Message):
    __slots__ = ["experiment_id"]
    EXPERIMENT_ID_FIELD_NUMBER: _ClassVar[int]
    experiment_id: str
    def __init__(self, experiment_id: _Optional[str] = ...) -> None: ...

class GetExperimentResultResponse(_message.Message):
    __slots__ = ["as_of_time", "decision", "experiment", "guardrails", "history", "primary", "reason", "winner_variant"]
    AS_OF_TIME_FIELD_NUMBER: _ClassVar[int]
    DECISION_FIELD_NUMBER: _ClassVar[int]
    EXPERIMENT_FIELD_NUMBER: _ClassVar[int]
    GUARDRAILS_FIELD_NUMBER: _ClassVar[int]
    HISTORY_FIELD_NUMBER: _ClassVar[int]
    PRIMARY_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    WINNER_VARIANT_FIELD_NUMBER: _ClassVar[int]
    as_of_time: _timestamp_pb2.Timestamp
    decision: ExperimentDecision
    experiment: Experiment
    guardrails: _containers.RepeatedCompositeFieldContainer[MetricResult]
    history: _containers.RepeatedCompositeFieldContainer[ExperimentResultPoint]
    primary: MetricResult
    reason: str
    winner_variant: str
    def __init__(self, experiment: _Optional[_Union[Experiment, _Mapping]] = ..., as_of_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., primary: _Optional[_Union[MetricResult, _Mapping]] = ..., guardrails: _Optional[_Iterable[_Union[MetricResult, _Mapping]]] = ..., decision: _Optional[_Union[ExperimentDecision, str]] = ..., winner_variant: _Optional[str] = ..., reason: _Optional[str] = ..., history: _Optional[_Iterable[_Union[ExperimentResultPoint, _Mapping]]] = ...) -> None: ...

class ListExperimentsRequest(_message.Message):
    __slots__ = ["page_size", "page_token", "status"]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    status: ExperimentStatus
    def __init__(self, status: _Optional[_Union[ExperimentStatus, str]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListExperimentsResponse(_message.Message):
    __slots__ = ["experiments", "next_page_token"]
    EXPERIMENTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    experiments: _containers.RepeatedCompositeFieldContainer[Experiment]
    next_page_token: str
    def __init__(self, experiments: _Optional[_Iterable[_Union[Experiment, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class MetricResult(_message.Message):
    __slots__ = ["covariate_adjusted", "metric", "variance_reduction", "variants"]
    COVARIATE_ADJUSTED_FIELD_NUMBER: _ClassVar[int]
    METRIC_FIELD_NUMBER: _ClassVar[int]
    VARIANCE_REDUCTION_FIELD_NUMBER: _ClassVar[int]
    VARIANTS_FIELD_NUMBER: _ClassVar[int]
    covariate_adjusted: bool
    metric: ExperimentMetric
    variance_reduction: float
    variants: _containers.RepeatedCompositeFieldContainer[VariantResult]
    def __init__(self, metric: _Optional[_Union[ExperimentMetric, str]] = ..., variants: _Optional[_Iterable[_Union[VariantResult, _Mapping]]] = ..., covariate_adjusted: bool = ..., variance_reduction: _Optional[float] = ...) -> None: ...

class OtherExperimentAssignment(_message.Message):
    __slots__ = ["experiment_id", "post_id", "variant"]
    EXPERIMENT_ID_FIELD_NUMBER: _ClassVar[int]
    POST_ID_FIELD_NUMBER: _ClassVar[int]
    VARIANT_FIELD_NUMBER: _ClassVar[int]
    experiment_id: str
    post_id: str
    variant: str
    def __init__(self, post_id: _Optional[str] = ..., experiment_id: _Optional[str] = ..., variant: _Optional[str] = ...) -> None: ...

class PostAssignment(_message.Message):
    __slots__ = ["post_id", "variant"]
    POST_ID_FIELD_NUMBER: _ClassVar[int]
    VARIANT_FIELD_NUMBER: _ClassVar[int]
    post_id: str
    variant: str
    def __init__(self, post_id: _Optional[str] = ..., variant: _Optional[str] = ...) -> None: ...

class StopExperimentRequest(_message.Message):
    __slots__ = ["experiment_id", "reason"]
    EXPERIMENT_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    experiment_id: str
    reason: str
    def __init__(self, experiment_id: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class StopExperimentResponse(_message.Message):
    __slots__ = ["experiment"]
    EXPERIMENT_FIELD_NUMBER: _ClassVar[int]
    experiment: Experiment
    def __init__(self, experiment: _Optional[_Union[Experiment, _Mapping]] = ...) -> None: ...

class VariantResult(_message.Message):
    __slots__ = ["adjusted_mean", "effect_estimated", "effect_relative", "effect_relative_lower", "effect_relative_upper", "mean", "posts_count", "probability_best", "significant", "variant"]
    ADJUSTED_MEAN_FIELD_NUMBER: _ClassVar[int]
    EFFECT_ESTIMATED_FIELD_NUMBER: _ClassVar[int]
    EFFECT_RELATIVE_FIELD_NUMBER: _ClassVar[int]
    EFFECT_RELATIVE_LOWER_FIELD_NUMBER: _ClassVar[int]
    EFFECT_RELATIVE_UPPER_FIELD_NUMBER: _ClassVar[int]
    MEAN_FIELD_NUMBER: _ClassVar[int]
    POSTS_COUNT_FIELD_NUMBER: _ClassVar[int]
    PROBABILITY_BEST_FIELD_NUMBER: _ClassVar[int]
    SIGNIFICANT_FIELD_NUMBER: _ClassVar[int]
    VARIANT_FIELD_NUMBER: _ClassVar[int]
    adjusted_mean: float
    effect_estimated: bool
    effect_relative: float
    effect_relative_lower: float
    effect_relative_upper: float
    mean: float
    posts_count: int
    probability_best: float
    significant: bool
    variant: str
    def __init__(self, variant: _Optional[str] = ..., posts_count: _Optional[int] = ..., mean: _Optional[float] = ..., adjusted_mean: _Optional[float] = ..., effect_relative: _Optional[float] = ..., effect_relative_lower: _Optional[float] = ..., effect_relative_upper: _Optional[float] = ..., significant: bool = ..., probability_best: _Optional[float] = ..., effect_estimated: bool = ...) -> None: ...

class ExperimentMetric(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class ExperimentStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class ExperimentDecision(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []
