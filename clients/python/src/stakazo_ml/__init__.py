"""Python client of the stakazo-ml gRPC service.

    from stakazo_ml import connect, metric_batches
    from stakazo_ml.v1 import embedding_pb2, metrics_pb2

    with connect("localhost:50051", token="stk_...") as client:
        client.upsert("clip", [{"id": "p1", "vector": [0.1, 0.2, 0.3], "metadata": {"brand": "acme"}}])
        hits = client.search("clip", [0.1, 0.2, 0.3], metadata_contains={"brand": "acme"})   # top_k 10 by default
        client.embedding.Search(embedding_pb2.SearchRequest(collection="clip", vector=..., top_k=5))
        client.stream_metrics(records)          # any iterable of MetricRecord, sent in batches over one stream

The generated messages and stubs (with .pyi type hints) are `stakazo.ml.v1.*_pb2` / `*_pb2_grpc`, also reachable
as `stakazo_ml.v1`.
"""
from stakazo_ml.client import IDEMPOTENT_METHODS, Client, RetryPolicy, connect
from stakazo_ml.native import DEFAULT_TOP_K, ConnectTimeout, StakazoError, point, struct, timestamp
from stakazo_ml.streams import batched, metric_batches, point_batches

__all__ = ["Client", "ConnectTimeout", "DEFAULT_TOP_K", "IDEMPOTENT_METHODS", "RetryPolicy", "StakazoError", "batched", "connect",
           "metric_batches", "point", "point_batches", "struct", "timestamp"]
