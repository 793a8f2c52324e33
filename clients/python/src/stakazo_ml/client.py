"""connect(): a channel to stakazo-ml with the API token on every call, TLS when asked, and retries with backoff on
UNAVAILABLE for idempotent unary calls; the four service stubs on one Client."""
import random
import time
from dataclasses import dataclass
from typing import Any, Callable, Iterable, NamedTuple, Optional, Sequence, Tuple

import grpc

from stakazo.ml.v1 import embedding_pb2, embedding_pb2_grpc, experiment_pb2_grpc, learning_pb2_grpc, metrics_pb2, metrics_pb2_grpc
from stakazo_ml.native import ConnectTimeout, NativeCalls
from stakazo_ml.streams import DEFAULT_BATCH_SIZE, metric_batches, point_batches

#: Unary methods that may be sent again after UNAVAILABLE: reads, and writes keyed by an id (points, content,
#: posts, metric records with their record_id), where a second copy changes nothing.
IDEMPOTENT_METHODS = frozenset({
    # EmbeddingService
    "GetCollection", "ListCollections", "GetPoints", "Scroll", "Search", "SearchBatch", "Recommend", "ListAliases",
    "Upsert", "UpdateMetadata",
    # MetricsService
    "RegisterContent", "GetContent", "ListContent", "RegisterPost", "GetPost", "ListPosts", "RecordMetrics",
    "QueryMetrics", "ListDailySnapshots",
    # LearningService
    "GetDailySnapshot", "GetRetentionAnalysis", "GetRetentionClusters", "GetLearningReport", "ListLearningRuns",
    "PredictVirality", "GetBestTimeToPost", "GetLearningSettings", "SetLearningSettings",
    # ExperimentService
    "GetExperiment", "ListExperiments", "GetExperimentResult",
})


@dataclass(frozen=True)
class RetryPolicy:
    """Attempts in all (1 = no retry); the wait before retry n is min(max_backoff_s, initial_backoff_s * multiplier^(n-1)),
    times a random factor in [0.5, 1] so that many clients do not retry in step."""
    attempts: int = 5
    initial_backoff_s: float = 0.1
    multiplier: float = 2.0
    max_backoff_s: float = 5.0

    def backoff_s(self, retry: int) -> float:
        return min(self.max_backoff_s, self.initial_backoff_s * self.multiplier ** (retry - 1)) * random.uniform(0.5, 1.0)


class _CallDetails(NamedTuple):
    method: str
    timeout: Optional[float]
    metadata: Optional[Sequence[Tuple[str, str]]]
    credentials: Optional[grpc.CallCredentials]
    wait_for_ready: Optional[bool]
    compression: Any


class _ClientCallDetails(_CallDetails, grpc.ClientCallDetails):
    pass


def _method_name(method: Any) -> str:
    name = method.decode() if isinstance(method, bytes) else str(method)
    return name.rsplit("/", 1)[-1]


class _Interceptor(grpc.UnaryUnaryClientInterceptor, grpc.StreamUnaryClientInterceptor, grpc.UnaryStreamClientInterceptor):
    """Adds `authorization: Bearer <token>` to every call; retries idempotent unary calls on UNAVAILABLE."""

    def __init__(self, token: Optional[str], retry: RetryPolicy, sleep: Callable[[float], None] = time.sleep):
        self._token = token
        self._retry = retry
        self._sleep = sleep
        #: Retries made so far (all calls), for logs and tests.
        self.retries = 0

    def _details(self, details: grpc.ClientCallDetails) -> grpc.ClientCallDetails:
        if not self._token:
            return details
        metadata = [*(details.metadata or ()), ("authorization", f"Bearer {self._token}")]
        return _ClientCallDetails(details.method, details.timeout, metadata, details.credentials,
                                  getattr(details, "wait_for_ready", None), getattr(details, "compression", None))

    def intercept_unary_unary(self, continuation, client_call_details, request):
        details = self._details(client_call_details)
        attempts = self._retry.attempts if _method_name(details.method) in IDEMPOTENT_METHODS else 1
        for attempt in range(1, attempts + 1):
            outcome = continuation(details, request)
            if attempt == attempts or outcome.code() != grpc.StatusCode.UNAVAILABLE:
                return outcome
            self.retries += 1
            self._sleep(self._retry.backoff_s(attempt))
        return outcome  # unreachable: the last attempt returns above

    def intercept_stream_unary(self, continuation, client_call_details, request_iterator):
        # NOTE: a client stream is not retried here: its iterator may not be replayable. StreamMetrics is safe to
        # send again from the start (records are keyed by record_id): retry it in the caller when it can.
        return continuation(self._details(client_call_details), request_iterator)

    def intercept_unary_stream(self, continuation, client_call_details, request):
        return continuation(self._details(client_call_details), request)


class Client(NativeCalls):
    """The four services over one channel. Use as a context manager, or call close(). Besides the generated stubs
    (client.embedding.Search(SearchRequest(...))), plain-Python calls: client.search(...), client.upsert(...)."""

    def __init__(self, channel: grpc.Channel, interceptor: _Interceptor, address: str = ""):
        self.address = address
        self.channel = channel
        self._interceptor = interceptor
        self.embedding = embedding_pb2_grpc.EmbeddingServiceStub(channel)
        self.metrics = metrics_pb2_grpc.MetricsServiceStub(channel)
        self.learning = learning_pb2_grpc.LearningServiceStub(channel)
        self.experiment = experiment_pb2_grpc.ExperimentServiceStub(channel)

    @property
    def retries(self) -> int:
        """Idempotent calls sent again after UNAVAILABLE, since connect()."""
        return self._interceptor.retries

    def stream_metrics(self, records: Iterable[metrics_pb2.MetricRecord], batch_size: int = DEFAULT_BATCH_SIZE,
                       timeout: Optional[float] = None) -> metrics_pb2.StreamMetricsResponse:
        """Sends any number of metric records through one StreamMetrics client stream, `batch_size` per message."""
        return self.metrics.StreamMetrics(metric_batches(records, batch_size), timeout=timeout)

    def upsert_stream(self, collection: str, points: Iterable[embedding_pb2.Point], batch_size: int = DEFAULT_BATCH_SIZE,
                      timeout: Optional[float] = None) -> embedding_pb2.UpsertStreamResponse:
        """Upserts any number of points through one UpsertStream client stream, `batch_size` per message."""
        return self.embedding.UpsertStream(point_batches(collection, points, batch_size), timeout=timeout)

    def close(self) -> None:
        self.channel.close()

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def connect(address: str, token: Optional[str] = None, *, tls: bool = False, root_certificates: Optional[bytes] = None,
            private_key: Optional[bytes] = None, certificate_chain: Optional[bytes] = None,
            retry: RetryPolicy = RetryPolicy(), ready_timeout_s: Optional[float] = None,
            options: Sequence[Tuple[str, Any]] = ()) -> Client:
    """A Client for the server at `address` (host:port).

    token: the API token (`stakazo-ml tokens create`), sent as `authorization: Bearer <token>`; None when the server
    is single-tenant. tls: connect with TLS (root_certificates: the CA in PEM, else the system's; private_key and
    certificate_chain: a client certificate for mTLS). ready_timeout_s: wait that long for the connection, raising
    ConnectTimeout (a StakazoError naming the address) when the server cannot be reached.
    """
    if tls or root_certificates or certificate_chain:
        credentials = grpc.ssl_channel_credentials(root_certificates, private_key, certificate_chain)
        channel = grpc.secure_channel(address, credentials, options=list(options))
    else:
        channel = grpc.insecure_channel(address, options=list(options))
    if ready_timeout_s is not None:
        try:
            grpc.channel_ready_future(channel).result(timeout=ready_timeout_s)
        except grpc.FutureTimeoutError:
            channel.close()
            raise ConnectTimeout(address, ready_timeout_s) from None
    interceptor = _Interceptor(token, retry)
    return Client(grpc.intercept_channel(channel, interceptor), interceptor, address)
