from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor
PLATFORM_FACEBOOK: Platform
PLATFORM_INSTAGRAM: Platform
PLATFORM_TIKTOK: Platform
PLATFORM_UNSPECIFIED: Platform
PLATFORM_X: Platform
PLATFORM_YOUTUBE: Platform
WEEKDAY_FRIDAY: Weekday
WEEKDAY_MONDAY: Weekday
WEEKDAY_SATURDAY: Weekday
WEEKDAY_SUNDAY: Weekday
WEEKDAY_THURSDAY: Weekday
WEEKDAY_TUESDAY: Weekday
WEEKDAY_UNSPECIFIED: Weekday
WEEKDAY_WEDNESDAY: Weekday

class ContentFeatures(_message.Message):
    __slots__ = ["aesthetic_score", "caption_length_chars", "cta_in_first_5s", "hashtag_count", "quality_score"]
    AESTHETIC_SCORE_FIELD_NUMBER: _ClassVar[int]
    CAPTION_LENGTH_CHARS_FIELD_NUMBER: _ClassVar[int]
    CTA_IN_FIRST_5S_FIELD_NUMBER: _ClassVar[int]
    HASHTAG_COUNT_FIELD_NUMBER: _ClassVar[int]
    QUALITY_SCORE_FIELD_NUMBER: _ClassVar[int]
    aesthetic_score: float
    caption_length_chars: int
    cta_in_first_5s: bool
    hashtag_count: int
    quality_score: float
    def __init__(self, quality_score: _Optional[float] = ..., aesthetic_score: _Optional[float] = ..., caption_length_chars: _Optional[int] = ..., cta_in_first_5s: bool = ..., hashtag_count: _Optional[int] = ...) -> None: ...

class DailySnapshot(_message.Message):
    __slots__ = ["average_retention", "build_time", "completion_rate", "day", "engagement_rate", "first_3s_loss", "platform", "posts_count", "saves_rate", "shares_rate", "top_performers", "views"]
    AVERAGE_RETENTION_FIELD_NUMBER: _ClassVar[int]
    BUILD_TIME_FIELD_NUMBER: _ClassVar[int]
    COMPLETION_RATE_FIELD_NUMBER: _ClassVar[int]
    DAY_FIELD_NUMBER: _ClassVar[int]
    ENGAGEMENT_RATE_FIELD_NUMBER: _ClassVar[int]
    FIRST_3S_LOSS_FIELD_NUMBER: _ClassVar[int]
    PLATFORM_FIELD_NUMBER: _ClassVar[int]
    POSTS_COUNT_FIELD_NUMBER: _ClassVar[int]
    SAVES_RATE_FIELD_NUMBER: _ClassVar[int]
    SHARES_RATE_FIELD_NUMBER: _ClassVar[int]
    TOP_PERFORMERS_FIELD_NUMBER: _ClassVar[int]
    VIEWS_FIELD_NUMBER: _ClassVar[int]
    average_retention: float
    build_time: _timestamp_pb2.Timestamp
    completion_rate: float
    day: str
    engagement_rate: float
    first_3s_loss: float
    platform: Platform
    posts_count: int
    saves_rate: float
    shares_rate: float
    top_performers: _containers.RepeatedCompositeFieldContainer[TopPerformer]
    views: int
    def __init__(self, day: _Optional[str] = ..., platform: _Optional[_Union[Platform, str]] = ..., posts_count: _Optional[int] = ..., views: _Optional[int] = ..., average_retention: _Optional[float] = ..., completion_rate: _Optional[float] = ..., engagement_rate: _Optional[float] = ..., saves_rate: _Optional[float] = ..., shares_rate: _Optional[float] = ..., first_3s_loss: _Optional[float] = ..., top_performers: _Optional[_Iterable[_Union[TopPerformer, _Mapping]]] = ..., build_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class TopPerformer(_message.Message):
    __slots__ = ["completion_rate", "content_id", "engagement_rate", "platform", "post_id", "views"]
    COMPLETION_RATE_FIELD_NUMBER: _ClassVar[int]
    CONTENT_ID_FIELD_NUMBER: _ClassVar[int]
    ENGAGEMENT_RATE_FIELD_NUMBER: _ClassVar[int]
    PLATFORM_FIELD_NUMBER: _ClassVar[int]
    POST_ID_FIELD_NUMBER: _ClassVar[int]
    VIEWS_FIELD_NUMBER: _ClassVar[int]
    completion_rate: float
    content_id: str
    engagement_rate: float
    platform: Platform
    post_id: str
    views: int
    def __init__(self, post_id: _Optional[str] = ..., content_id: _Optional[str] = ..., platform: _Optional[_Union[Platform, str]] = ..., views: _Optional[int] = ..., engagement_rate: _Optional[float] = ..., completion_rate: _Optional[float] = ...) -> None: ...

class Platform(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class Weekday(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []
