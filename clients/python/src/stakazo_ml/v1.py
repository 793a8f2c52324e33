"""The generated messages and stubs of stakazo.ml.v1, under the package's own name:
`from stakazo_ml.v1 import embedding_pb2, embedding_pb2_grpc`."""
from stakazo.ml.v1 import (  # noqa: F401
    common_pb2,
    embedding_pb2,
    embedding_pb2_grpc,
    experiment_pb2,
    experiment_pb2_grpc,
    learning_pb2,
    learning_pb2_grpc,
    metrics_pb2,
    metrics_pb2_grpc,
)

__all__ = [
    "common_pb2",
    "embedding_pb2",
    "embedding_pb2_grpc",
    "experiment_pb2",
    "experiment_pb2_grpc",
    "learning_pb2",
    "learning_pb2_grpc",
    "metrics_pb2",
    "metrics_pb2_grpc",
]
