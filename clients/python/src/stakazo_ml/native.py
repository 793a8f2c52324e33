"""Plain Python in, messages out: dicts for Struct fields (metadata, filters), datetime for timestamps, a default
top_k, and errors that say where and what failed. The generated messages stay available for everything else."""
import datetime as dt
from typing import Any, Iterable, List, Mapping, Optional, Sequence, Union

import grpc
from google.protobuf import struct_pb2, timestamp_pb2

from stakazo.ml.v1 import embedding_pb2

#: How many hits a search returns when the caller does not say (the service refuses top_k 0).
DEFAULT_TOP_K = 10

#: A point as a dict: {"id": str, "content_id": str, "vector": [float, ...], "metadata": dict (optional)}.
PointLike = Union[embedding_pb2.Point, Mapping[str, Any]]


class StakazoError(Exception):
    """A failed call: the server's address, the RPC, the gRPC status and the server's message (what to fix)."""

    def __init__(self, address: str, method: str, code: grpc.StatusCode, details: str):
        super().__init__(f"{method} at {address} failed: {code.name}: {details}")
        self.address = address
        self.method = method
        self.code = code
        self.details = details


class ConnectTimeout(StakazoError):
    """connect(ready_timeout_s=…) found no server answering at the address in time."""

    def __init__(self, address: str, timeout_s: float):
        super().__init__(address, "connect", grpc.StatusCode.UNAVAILABLE,
                         f"no stakazo-ml server answered within {timeout_s:g} s (is it running, and is the address right?)")


def struct(values: Optional[Mapping[str, Any]]) -> Optional[struct_pb2.Struct]:
    """A dict as a protobuf Struct (None stays None): numbers, strings, booleans, None, lists and nested dicts."""
    if values is None:
        return None
    message = struct_pb2.Struct()
    message.update(dict(values))
    return message


def timestamp(when: dt.datetime) -> timestamp_pb2.Timestamp:
    """A timezone-aware datetime as a Timestamp (a naive one is refused: it would silently mean local time)."""
    if when.tzinfo is None:
        raise ValueError(f"timestamp {when.isoformat()} has no time zone; use e.g. datetime.now(timezone.utc)")
    message = timestamp_pb2.Timestamp()
    message.FromDatetime(when.astimezone(dt.timezone.utc))
    return message


def point(value: PointLike) -> embedding_pb2.Point:
    """A Point from a dict (or a Point, unchanged)."""
    if isinstance(value, embedding_pb2.Point):
        return value
    unknown = set(value) - {"id", "vector", "content_id", "metadata"}
    missing = {"id", "content_id", "vector"} - set(value)
    if unknown or missing:
        raise ValueError(f"point {dict(value).get('id', '?')!r}: " + (f"unknown keys {sorted(unknown)}" if unknown else f"missing {sorted(missing)}")
                         + "; a point is {id, content_id, vector, metadata (optional)}")
    return embedding_pb2.Point(id=value["id"], content_id=value["content_id"],
                               vector=embedding_pb2.Vector(values=list(value["vector"])),
                               metadata=struct(value.get("metadata")))


class NativeCalls:
    """The common calls with plain Python arguments; mixed into Client (needs `address`, `embedding`)."""

    address: str
    embedding: Any

    def _call(self, method: str, stub_method: Any, request: Any, timeout: Optional[float]) -> Any:
        try:
            return stub_method(request, timeout=timeout)
        except grpc.RpcError as err:
            raise StakazoError(self.address, method, err.code(), err.details() or "") from err

    def upsert(self, collection: str, points: Iterable[PointLike], timeout: Optional[float] = 30) -> embedding_pb2.UpsertResponse:
        """Inserts or updates points (dicts or Points) in one batch (at most the server's batch size, 1,000 by default)."""
        request = embedding_pb2.UpsertRequest(collection=collection, points=[point(p) for p in points])
        return self._call("EmbeddingService/Upsert", self.embedding.Upsert, request, timeout)

    def search(self, collection: str, vector: Sequence[float], top_k: int = DEFAULT_TOP_K,
               metadata_contains: Optional[Mapping[str, Any]] = None,
               timeout: Optional[float] = 30) -> List[embedding_pb2.ScoredPoint]:
        """The `top_k` points nearest `vector`, optionally only those whose metadata contains `metadata_contains`."""
        request = embedding_pb2.SearchRequest(collection=collection, vector=embedding_pb2.Vector(values=list(vector)), top_k=top_k,
                                              filter=embedding_pb2.Filter(metadata_contains=struct(metadata_contains)) if metadata_contains else None)
        return list(self._call("EmbeddingService/Search", self.embedding.Search, request, timeout).hits)
