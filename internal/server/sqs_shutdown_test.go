package server

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/vigilhq/vigil/internal/sdkhttp"
)

// Shutdown ends SQS long polls at once (they answer with no messages)
// instead of waiting up to 20 seconds for each.
func TestShutdownEndsSQSLongPolls(t *testing.T) {
	srv, err := Start(context.Background(), Options{Addr: "127.0.0.1:0", DataDir: t.TempDir(),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	client := sqs.New(sqs.Options{Region: "us-east-1", RetryMaxAttempts: 1,
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint: aws.String("http://" + srv.Addr()), HTTPClient: sdkhttp.Client{Next: http.DefaultClient}})
	ctx := context.Background()
	q, err := client.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("idle")})
	if err != nil {
		t.Fatal(err)
	}
	polls := make(chan error, 3)
	for range 3 {
		go func() {
			out, err := client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: q.QueueUrl, WaitTimeSeconds: 20})
			if err == nil && len(out.Messages) != 0 {
				t.Errorf("a message from an empty queue: %+v", out.Messages)
			}
			polls <- err
		}()
	}
	time.Sleep(200 * time.Millisecond) // the polls are waiting
	start := time.Now()
	if err := srv.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if err := <-polls; err != nil {
			t.Errorf("long poll: %v", err)
		}
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("shutdown with long polls took %v", d)
	}
}
