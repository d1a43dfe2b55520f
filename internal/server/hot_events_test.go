package server

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/smithy-go/middleware"

	eventsapi "github.com/vigilhq/vigil/internal/api/events"
	"github.com/vigilhq/vigil/internal/gateway"
	"github.com/vigilhq/vigil/internal/protocol/awsjson"
)

// The hot PutEvents path must accept only what the generic path (awsJson's
// Decode, then shape.Validate) accepts, and decode it to the very same
// input; whatever it declines goes the generic way, which produces every
// error. These tests check that on bodies the Go SDK writes, valid or not,
// and on fuzzed bodies, and that the hot path does take what the SDK
// sends.

var hotEvents = eventsHot[gateway.HotOp{Protocol: "awsJson1_1", Operation: "PutEvents"}]

// checkHotEvents compares the hot and the generic path on body and reports
// whether the hot one accepted it.
func checkHotEvents(t testing.TB, body []byte) bool {
	t.Helper()
	return checkHot[eventsapi.PutEventsRequest](t, hotEvents, awsjson.New("1.1"), eventsapi.Model, "PutEvents", body)
}

// sdkEvents captures the bodies the Go SDK sends, without its client-side
// validation, so that it also writes what the server must refuse.
type sdkEvents struct {
	c      *capture
	client *eventbridge.Client
}

func newSDKEvents() *sdkEvents {
	c := &capture{json: true}
	return &sdkEvents{c: c, client: eventbridge.New(eventbridge.Options{Region: "us-east-1", HTTPClient: c, RetryMaxAttempts: 1,
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint: aws.String("http://127.0.0.1:1"), APIOptions: []func(*middleware.Stack) error{noInputValidation}})}
}

func (s *sdkEvents) body(t testing.TB, in *eventbridge.PutEventsInput) []byte {
	t.Helper()
	if _, err := s.client.PutEvents(context.Background(), in); err != nil {
		t.Fatal(err)
	}
	return s.c.body
}

// genEventsInput draws a PutEvents input; clean ones are valid.
func genEventsInput(r *rand.Rand) (in *eventbridge.PutEventsInput, clean bool) {
	hostile := r.IntN(3) == 0
	str := func() string {
		var b strings.Builder
		for range r.IntN(6) {
			b.WriteString(pick(r, append(append([]string{}, plainPieces...), escapedPieces...)...))
		}
		if hostile && r.IntN(10) == 0 {
			b.WriteString(pick(r, invalidPieces...))
		}
		return b.String()
	}
	n := 1 + r.IntN(10)
	if hostile && r.IntN(8) == 0 {
		n = pick(r, 0, 11)
	}
	in = &eventbridge.PutEventsInput{Entries: make([]ebtypes.PutEventsRequestEntry, n)}
	for i := range in.Entries {
		e := &in.Entries[i]
		e.Source = aws.String(pick(r, "app.orders", "app.other", str()))
		e.DetailType = aws.String(pick(r, "OrderPlaced", str()))
		e.Detail = aws.String(fmt.Sprintf(`{"order":%d,"note":%q}`, r.IntN(1000), str()))
		if r.IntN(2) == 0 {
			e.EventBusName = aws.String(pick(r, "default", "orders", "arn:aws:events:us-east-1:123456789012:event-bus/b"))
		}
		if r.IntN(3) == 0 {
			e.Resources = []string{"arn:aws:s3:::b", str()}
		}
		if r.IntN(3) == 0 {
			e.Time = aws.Time(time.Unix(1_700_000_000+r.Int64N(1e6), r.Int64N(1e9)))
		}
		if r.IntN(4) == 0 {
			e.TraceHeader = aws.String("Root=1-" + fmt.Sprint(r.IntN(1e6)))
		}
		if hostile && r.IntN(6) == 0 {
			switch r.IntN(4) {
			case 0:
				e.EventBusName = aws.String("not a bus!")
			case 1:
				e.TraceHeader = aws.String("")
			case 2:
				e.Resources = []string{strings.Repeat("r", 2049)}
			default:
				e.EventBusName = aws.String("")
			}
		}
	}
	if r.IntN(10) == 0 {
		in.EndpointId = aws.String(pick(r, "abc.def", "bad"))
	}
	return in, !hostile
}

func TestHotPutEventsSDKBodies(t *testing.T) {
	sdk := newSDKEvents()
	r := rand.New(rand.NewPCG(21, 22))
	hot, clean := 0, 0
	for range 2000 {
		in, ok := genEventsInput(r)
		body := sdk.body(t, in)
		took := checkHotEvents(t, body)
		if ok && in.EndpointId == nil {
			clean++
			if !took {
				t.Fatalf("the hot path declined a valid SDK body: %q", body)
			}
		}
		if took {
			hot++
		}
	}
	if clean < 500 || hot < clean {
		t.Fatalf("%d clean bodies, %d taken hot", clean, hot)
	}
}

// The benchmark's entries, as the SDK sends them, take the hot path.
func TestHotPutEventsBenchBody(t *testing.T) {
	body := newSDKEvents().body(t, &eventbridge.PutEventsInput{Entries: benchEntries(1, true)})
	if !checkHotEvents(t, body) {
		t.Fatalf("declined: %q", body)
	}
}

func FuzzHotPutEvents(f *testing.F) {
	sdk := newSDKEvents()
	r := rand.New(rand.NewPCG(23, 24))
	for range 16 {
		in, _ := genEventsInput(r)
		f.Add(sdk.body(f, in))
	}
	f.Fuzz(func(t *testing.T, body []byte) { checkHotEvents(t, body) })
}
