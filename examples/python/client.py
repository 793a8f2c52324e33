#!/usr/bin/env python3
"""A stakazo-ml session from Python with the real grpcio: embeddings, metrics, a learning day and its report.

    python3 examples/python/client.py --address localhost:50051 [--token stk_...] [--prefix py-example]

Uses the stakazo_ml package (pip install ./clients/python). It creates (or reuses) a collection, upserts embeddings and searches them, registers content and posts, streams
retention and engagement records for them, runs the daily learning for --day (default: yesterday, UTC) and prints
the report. Running it twice is safe: the same ids are reused and records are deduplicated by record_id.
"""
import argparse
import datetime as dt
import math
import random
import sys

import grpc
from google.protobuf import wrappers_pb2

from stakazo_ml import Client, connect, struct, timestamp  # dicts → Struct, aware datetimes → Timestamp
from stakazo_ml.v1 import common_pb2, embedding_pb2, learning_pb2, metrics_pb2

DIMENSION = 8
PLATFORMS = [common_pb2.PLATFORM_TIKTOK, common_pb2.PLATFORM_INSTAGRAM, common_pb2.PLATFORM_YOUTUBE]


def retention_curve(duration_s, first_3s_loss, completion):
    """101 never-increasing points: a linear loss over the first 3 s, then exponential decay to completion."""
    start = 1 - first_3s_loss
    end = min(completion, start)
    points = []
    for i in range(101):
        t = i / 100 * duration_s
        points.append(1 - first_3s_loss * t / 3 if t <= 3 else start * (end / start) ** ((t - 3) / (duration_s - 3)))
    return points


def embeddings(args, client: Client):
    stub = client.embedding
    name = f"{args.prefix}-clip"
    collection = embedding_pb2.Collection(name=name, embedding_type=embedding_pb2.EMBEDDING_TYPE_VISUAL_CLIP, dimension=DIMENSION)
    try:
        stub.CreateCollection(embedding_pb2.CreateCollectionRequest(collection=collection), timeout=30)
        print(f"collection {name}: created ({DIMENSION} dimensions, cosine)")
    except grpc.RpcError as err:
        if err.code() != grpc.StatusCode.ALREADY_EXISTS:
            raise
        print(f"collection {name}: already there, reusing it")

    rng = random.Random(7)
    points = []
    for i in range(40):
        brand = "acme" if i % 2 == 0 else "zeta"
        vector = [rng.gauss(1.0 if brand == "acme" else -1.0, 0.3) for _ in range(DIMENSION)]
        points.append(embedding_pb2.Point(id=f"{args.prefix}-frame-{i}", content_id=f"{args.prefix}-video-{i % 10}",
                                          vector=embedding_pb2.Vector(values=vector), metadata=struct({"brand": brand, "frame": i})))
    upserted = stub.Upsert(embedding_pb2.UpsertRequest(collection=name, points=points), timeout=30)
    print(f"upserted {len(points)} points: {upserted.inserted_count} new, {upserted.updated_count} updated")

    query = embedding_pb2.SearchRequest(collection=name, vector=embedding_pb2.Vector(values=[1.0] * DIMENSION), top_k=3,
                                        filter=embedding_pb2.Filter(metadata_contains=struct({"brand": "acme"})))
    hits = stub.Search(query, timeout=30).hits
    print(f"search (brand=acme, top 3): {len(hits)} hits")
    for hit in hits:
        print(f"  {hit.point.id}  score {hit.score:.3f}  brand {hit.point.metadata['brand']}")

    # Contents rather than frames: two sub-queries (near a vector, and like video-0, the mean of its frames) fused by
    # reciprocal rank; each content counts once, video-0 itself is left out. Sub-queries may name other collections
    # (audio, text) and a keyword search over text_fields.
    video_0 = f"{args.prefix}-video-0"
    request = embedding_pb2.SearchContentRequest(top_k=3, fusion=embedding_pb2.FUSION_RRF, sub_queries=[
        embedding_pb2.ContentSubQuery(collection=name, vector=embedding_pb2.Vector(values=[1.0] * DIMENSION)),
        embedding_pb2.ContentSubQuery(collection=name, content_id=video_0, weight=wrappers_pb2.DoubleValue(value=0.5))])
    contents = stub.SearchContent(request, timeout=30).hits
    print(f"search content (near the acme direction and like video-0, top 3): {len(contents)} contents")
    for hit in contents:
        print(f"  {hit.content_id}  fused {hit.score:.4f}  best frames {', '.join(e.point_id for e in hit.evidence)}")


def metrics(args, client: Client, day):
    stub = client.metrics
    rng = random.Random(11)
    day_start = dt.datetime.combine(day, dt.time(0, 0), tzinfo=dt.timezone.utc)
    observed = day_start + dt.timedelta(hours=22)
    records = []
    for i in range(args.posts):
        content_id, post_id = f"{args.prefix}-content-{i}", f"{args.prefix}-post-{i}"
        platform = PLATFORMS[i % len(PLATFORMS)]
        duration_s = 10 + rng.randrange(40)
        stub.RegisterContent(metrics_pb2.RegisterContentRequest(content=metrics_pb2.Content(
            content_id=content_id, duration_s=duration_s,
            features=common_pb2.ContentFeatures(quality_score=round(rng.random(), 2), aesthetic_score=round(rng.random(), 2),
                                                 caption_length_chars=rng.randrange(150), cta_in_first_5s=rng.random() < 0.5,
                                                 hashtag_count=rng.randrange(6)))), timeout=30)
        stub.RegisterPost(metrics_pb2.RegisterPostRequest(post=metrics_pb2.Post(
            post_id=post_id, content_id=content_id, platform=platform, account="python-example",
            publish_time=timestamp(day_start + dt.timedelta(minutes=20 * i)), time_zone="UTC")), timeout=30)
        loss = (0.65 if platform == common_pb2.PLATFORM_INSTAGRAM else 0.25) + rng.gauss(0, 0.03)
        curve = retention_curve(duration_s, loss, 0.2 + rng.gauss(0, 0.02))
        views = int(math.exp(7 + rng.gauss(0, 0.5)))
        records.append(metrics_pb2.MetricRecord(record_id=f"{post_id}-ret", observe_time=timestamp(observed), retention=metrics_pb2.RetentionMetrics(
            post_id=post_id, views=views, average_view_duration_s=duration_s * sum(curve) / len(curve), completion_rate=curve[-1],
            skip_rate_first_3s=loss, retention_curve=curve)))
        records.append(metrics_pb2.MetricRecord(record_id=f"{post_id}-eng", observe_time=timestamp(observed), engagement=metrics_pb2.EngagementMetrics(
            post_id=post_id, likes=views // 15, comments=views // 200, shares=views // 90, saves=views // 120, reach=int(views * 0.8), impressions=int(views * 1.3))))
    print(f"registered {args.posts} content items and posts published on {day}")

    # One client stream, 20 records a message (any iterable works, a generator too).
    result = client.stream_metrics(records, batch_size=20, timeout=60)
    print(f"streamed {len(records)} metric records: accepted {result.accepted_count}, duplicate {result.duplicate_count}, rejected {result.rejected_count}")
    for rejected in result.rejected:
        print(f"  rejected #{rejected.index} {rejected.record_id}: {rejected.reason}")


def learning(args, client: Client, day):
    stub = client.learning
    response = stub.RunDailyLearning(learning_pb2.RunDailyLearningRequest(day=day.isoformat(), force=True), timeout=120)
    run = response.run
    steps = ", ".join(f"{s.step} {s.duration_ms:.0f} ms" for s in run.steps)
    print(f"learning run {run.day}: {learning_pb2.RunStatus.Name(run.status)} ({steps})")
    report = stub.GetLearningReport(learning_pb2.GetLearningReportRequest(day=day.isoformat()), timeout=30).report
    print(f"report: {report.summary}")
    for platform in report.platforms:
        print(f"  {common_pb2.Platform.Name(platform.platform)}: {platform.posts_count} posts, completion {platform.mean_completion_rate:.1%}, "
              f"lost in first 3 s {platform.mean_first_3s_loss:.1%}")
    for insight in report.insights[:5]:
        print(f"  insight: {insight.text}")
    for recommendation in report.recommendations[:3]:
        print(f"  recommendation: {recommendation.text}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--address", default="localhost:50051", help="host:port of the gRPC server")
    parser.add_argument("--token", help="API token (sent as 'authorization: Bearer <token>'); not needed single-tenant")
    parser.add_argument("--prefix", default="py-example", help="prefix of every id this example writes")
    parser.add_argument("--day", type=dt.date.fromisoformat, default=dt.datetime.now(dt.timezone.utc).date() - dt.timedelta(days=1),
                        help="the day the posts are published, observed and learned (default: yesterday, UTC)")
    parser.add_argument("--posts", type=int, default=30, help="posts to register and observe")
    args = parser.parse_args()

    try:
        client = connect(args.address, token=args.token, ready_timeout_s=15)
    except grpc.FutureTimeoutError:
        sys.exit(f"cannot reach a stakazo-ml server at {args.address}")
    with client:
        try:
            embeddings(args, client)
            metrics(args, client, args.day)
            learning(args, client, args.day)
        except grpc.RpcError as err:
            sys.exit(f"{err.code().name}: {err.details()}")


if __name__ == "__main__":
    main()
