"""Helpers that turn an iterator of records or points into the messages of a client stream, in batches, lazily
(a generator of any length is sent without being held in memory)."""
from itertools import islice
from typing import Iterable, Iterator, List, TypeVar

from stakazo.ml.v1 import embedding_pb2, metrics_pb2

T = TypeVar("T")

#: Records or points per stream message: well under the server's batch limit (LIMIT_MAX_BATCH_SIZE, 1000).
DEFAULT_BATCH_SIZE = 500


def batched(items: Iterable[T], size: int) -> Iterator[List[T]]:
    """Lists of at most `size` consecutive items."""
    if size < 1:
        raise ValueError(f"batch size must be at least 1, got {size}")
    iterator = iter(items)
    while True:
        batch = list(islice(iterator, size))
        if not batch:
            return
        yield batch


def metric_batches(records: Iterable[metrics_pb2.MetricRecord], batch_size: int = DEFAULT_BATCH_SIZE) -> Iterator[metrics_pb2.StreamMetricsRequest]:
    """StreamMetrics messages of `batch_size` records each."""
    for batch in batched(records, batch_size):
        yield metrics_pb2.StreamMetricsRequest(records=batch)


def point_batches(collection: str, points: Iterable[embedding_pb2.Point], batch_size: int = DEFAULT_BATCH_SIZE) -> Iterator[embedding_pb2.UpsertStreamRequest]:
    """UpsertStream messages of `batch_size` points each, all for `collection` (a collection or an alias)."""
    for batch in batched(points, batch_size):
        yield embedding_pb2.UpsertStreamRequest(collection=collection, points=batch)
