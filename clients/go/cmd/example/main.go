// Command example is a stakazo-ml session from Go with the generated stubs (clients/go/gen): it creates (or reuses)
// a collection, upserts embeddings and searches them, registers content and posts, streams their metric records
// through the StreamMetrics client stream, runs the daily learning for -day and prints the report.
//
//	go run ./cmd/example -address localhost:50051 [-token stk_...] [-day YYYY-MM-DD] [-prefix go-example]
//
// Running it twice is safe: the same ids are updated and the records, keyed by record_id, count as duplicates.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"time"

	mlv1 "github.com/stakazo/stakazo-ml/clients/go/gen/stakazo/ml/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/structpb"
	"google.golang.org/protobuf/types/known/timestamppb"
)

const dimension = 8

var platforms = []mlv1.Platform{mlv1.Platform_PLATFORM_TIKTOK, mlv1.Platform_PLATFORM_INSTAGRAM, mlv1.Platform_PLATFORM_YOUTUBE}

func main() {
	address := flag.String("address", "localhost:50051", "host:port of the gRPC server")
	token := flag.String("token", "", "API token, sent as 'authorization: Bearer <token>' (not needed single-tenant)")
	day := flag.String("day", time.Now().UTC().AddDate(0, 0, -1).Format(time.DateOnly), "the day posts are published, observed and learned (default yesterday, UTC)")
	prefix := flag.String("prefix", "go-example", "prefix of every id this example writes")
	posts := flag.Int("posts", 30, "posts to register and observe")
	flag.Parse()

	if err := run(*address, *token, *day, *prefix, *posts); err != nil {
		if s, ok := status.FromError(err); ok {
			fmt.Fprintf(os.Stderr, "%s: %s\n", s.Code(), s.Message())
		} else {
			fmt.Fprintln(os.Stderr, err)
		}
		os.Exit(1)
	}
}

func run(address, token, day, prefix string, posts int) error {
	conn, err := grpc.NewClient(address, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return err
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if token != "" {
		ctx = metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+token)
	}
	if err := embeddings(ctx, mlv1.NewEmbeddingServiceClient(conn), prefix); err != nil {
		return err
	}
	if err := metrics(ctx, mlv1.NewMetricsServiceClient(conn), day, prefix, posts); err != nil {
		return err
	}
	return learning(ctx, mlv1.NewLearningServiceClient(conn), day)
}

func embeddings(ctx context.Context, client mlv1.EmbeddingServiceClient, prefix string) error {
	name := prefix + "-clip"
	_, err := client.CreateCollection(ctx, &mlv1.CreateCollectionRequest{Collection: &mlv1.Collection{
		Name: name, EmbeddingType: mlv1.EmbeddingType_EMBEDDING_TYPE_VISUAL_CLIP, Dimension: dimension,
	}})
	switch status.Code(err) {
	case codes.OK:
		fmt.Printf("collection %s: created (%d dimensions, cosine)\n", name, dimension)
	case codes.AlreadyExists:
		fmt.Printf("collection %s: already there, reusing it\n", name)
	default:
		return err
	}
	points := make([]*mlv1.Point, 0, 20)
	for i := range 20 {
		brand, sign := "acme", 1.0
		if i%2 == 1 {
			brand, sign = "zeta", -1.0
		}
		vector := make([]float32, dimension)
		for k := range vector {
			vector[k] = float32(sign * (1 + 0.1*math.Sin(float64(i*dimension+k))))
		}
		meta, _ := structpb.NewStruct(map[string]any{"brand": brand, "frame": i})
		points = append(points, &mlv1.Point{Id: fmt.Sprintf("%s-frame-%d", prefix, i), ContentId: fmt.Sprintf("%s-video-%d", prefix, i%5),
			Vector: &mlv1.Vector{Values: vector}, Metadata: meta})
	}
	upserted, err := client.Upsert(ctx, &mlv1.UpsertRequest{Collection: name, Points: points})
	if err != nil {
		return err
	}
	fmt.Printf("upserted %d points: %d new, %d updated\n", len(points), upserted.GetInsertedCount(), upserted.GetUpdatedCount())
	filter, _ := structpb.NewStruct(map[string]any{"brand": "acme"})
	query := make([]float32, dimension)
	for k := range query {
		query[k] = 1
	}
	found, err := client.Search(ctx, &mlv1.SearchRequest{Collection: name, Vector: &mlv1.Vector{Values: query}, TopK: 3,
		Filter: &mlv1.Filter{MetadataContains: filter}})
	if err != nil {
		return err
	}
	fmt.Printf("search (brand=acme, top 3): %d hits\n", len(found.GetHits()))
	for _, hit := range found.GetHits() {
		fmt.Printf("  %s  score %.3f  brand %s\n", hit.GetPoint().GetId(), hit.GetScore(), hit.GetPoint().GetMetadata().GetFields()["brand"].GetStringValue())
	}
	return nil
}

func metrics(ctx context.Context, client mlv1.MetricsServiceClient, day, prefix string, posts int) error {
	start, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return fmt.Errorf("-day %q: %w", day, err)
	}
	observed := timestamppb.New(start.Add(22 * time.Hour))
	records := make([]*mlv1.MetricRecord, 0, 2*posts)
	for i := range posts {
		contentID, postID := fmt.Sprintf("%s-content-%d", prefix, i), fmt.Sprintf("%s-post-%d", prefix, i)
		platform := platforms[i%len(platforms)]
		if _, err := client.RegisterContent(ctx, &mlv1.RegisterContentRequest{Content: &mlv1.Content{ContentId: contentID, DurationS: float64(10 + i%40)}}); err != nil {
			return err
		}
		if _, err := client.RegisterPost(ctx, &mlv1.RegisterPostRequest{Post: &mlv1.Post{PostId: postID, ContentId: contentID, Platform: platform,
			Account: "go-example", PublishTime: timestamppb.New(start.Add(time.Duration(20*i) * time.Minute)), TimeZone: "UTC"}}); err != nil {
			return err
		}
		loss := 0.25
		if platform == mlv1.Platform_PLATFORM_INSTAGRAM {
			loss = 0.65
		}
		views := uint64(800 + 37*i)
		records = append(records,
			&mlv1.MetricRecord{RecordId: postID + "-ret", ObserveTime: observed, Payload: &mlv1.MetricRecord_Retention{Retention: &mlv1.RetentionMetrics{
				PostId: postID, Views: views, CompletionRate: 0.2 + 0.01*float64(i%10), SkipRateFirst_3S: loss}}},
			&mlv1.MetricRecord{RecordId: postID + "-eng", ObserveTime: observed, Payload: &mlv1.MetricRecord_Engagement{Engagement: &mlv1.EngagementMetrics{
				PostId: postID, Likes: views / 15, Comments: views / 200, Shares: views / 90, Saves: views / 120}}})
	}
	fmt.Printf("registered %d content items and posts published on %s\n", posts, day)

	// A client stream: any number of messages, 20 records each; the answer comes once the stream is closed.
	stream, err := client.StreamMetrics(ctx)
	if err != nil {
		return err
	}
	for i := 0; i < len(records); i += 20 {
		if err := stream.Send(&mlv1.StreamMetricsRequest{Records: records[i:min(i+20, len(records))]}); err != nil {
			return err
		}
	}
	result, err := stream.CloseAndRecv()
	if err != nil {
		return err
	}
	fmt.Printf("streamed %d metric records: accepted %d, duplicate %d, rejected %d\n", len(records), result.GetAcceptedCount(), result.GetDuplicateCount(), result.GetRejectedCount())
	for _, rejected := range result.GetRejected() {
		fmt.Printf("  rejected #%d %s: %s\n", rejected.GetIndex(), rejected.GetRecordId(), rejected.GetReason())
	}
	return nil
}

func learning(ctx context.Context, client mlv1.LearningServiceClient, day string) error {
	ran, err := client.RunDailyLearning(ctx, &mlv1.RunDailyLearningRequest{Day: day, Force: true})
	if err != nil {
		return err
	}
	fmt.Printf("learning run %s: %s\n", ran.GetRun().GetDay(), ran.GetRun().GetStatus())
	got, err := client.GetLearningReport(ctx, &mlv1.GetLearningReportRequest{Day: day})
	if err != nil {
		return err
	}
	report := got.GetReport()
	if report == nil {
		return errors.New("GetLearningReport answered without a report")
	}
	fmt.Printf("report: %s\n", report.GetSummary())
	for _, platform := range report.GetPlatforms() {
		fmt.Printf("  %s: %d posts, completion %.1f%%\n", platform.GetPlatform(), platform.GetPostsCount(), 100*platform.GetMeanCompletionRate())
	}
	return nil
}
