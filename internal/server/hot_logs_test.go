package server

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/smithy-go/middleware"

	logsapi "github.com/vigilhq/vigil/internal/api/logs"
	"github.com/vigilhq/vigil/internal/api/shape"
	"github.com/vigilhq/vigil/internal/gateway"
	"github.com/vigilhq/vigil/internal/logs"
	"github.com/vigilhq/vigil/internal/protocol/awsjson"
)

// The hot PutLogEvents path must accept only what the generic path
// (awsJson's Decode, then shape.Validate) accepts, and decode it to the very
// same input; whatever it declines goes the generic way, which produces
// every error. These tests check that on bodies the Go SDK writes, on
// bodies escaped every way JSON allows, and on fuzzed bodies, and that the
// hot path does take what the SDK sends.

var hotLogs = logsHot[gateway.HotOp{Protocol: "awsJson1_1", Operation: "PutLogEvents"}]

// checkHotLogs compares the hot and the generic path on body and reports
// whether the hot one accepted it.
func checkHotLogs(t testing.TB, body []byte) bool {
	t.Helper()
	return checkHot[logsapi.PutLogEventsRequest](t, hotLogs, awsjson.New("1.1"), logsapi.Model, "PutLogEvents", body)
}

// noInputValidation removes the SDK's client-side validation, so that it
// also writes bodies the server must refuse.
func noInputValidation(s *middleware.Stack) error {
	_, err := s.Initialize.Remove("OperationInputValidation")
	return err
}

// sdkLogs captures the bodies the Go SDK sends, without its client-side
// validation, so that it also writes what the server must refuse.
type sdkLogs struct {
	c      *capture
	client *cloudwatchlogs.Client
}

func newSDKLogs() *sdkLogs {
	c := &capture{json: true}
	return &sdkLogs{c: c, client: cloudwatchlogs.New(cloudwatchlogs.Options{Region: "us-east-1", HTTPClient: c,
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint: aws.String("http://127.0.0.1:1"), APIOptions: []func(*middleware.Stack) error{noInputValidation}})}
}

func (s *sdkLogs) body(t testing.TB, in *cloudwatchlogs.PutLogEventsInput) []byte {
	t.Helper()
	if _, err := s.client.PutLogEvents(context.Background(), in); err != nil {
		t.Fatal(err)
	}
	if enc := s.c.req.Header.Get("Content-Encoding"); enc != "" {
		t.Fatalf("the SDK sent Content-Encoding %s", enc)
	}
	return s.c.body
}

// Message pieces: every kind of character a JSON writer escapes or not.
var (
	plainPieces = []string{"a", "Hello, world", " ", "{", "}", ":", ",", "[", "]", "0123456789", "level=INFO",
		`{"time":"2026-01-02T03:04:05Z","level":"INFO","msg":"cart updated"}`}
	escapedPieces = []string{`"`, `\`, "/", "\b", "\f", "\n", "\r", "\t", "\x00", "\x01", "\x1f", "\x7f",
		"é", "ü", "世界", "€", "😀", "𝄞", "\u2028", "\u2029", "\ufeff", "\ufffd", "\U0010ffff"}
	invalidPieces = []string{"\xff", "\xc3", "\xed\xa0\x80", "\xf4\x90\x80\x80"}
)

func genMessage(r *rand.Rand, hostile bool) string {
	var b strings.Builder
	for range 1 + r.IntN(24) {
		switch k := r.IntN(20); {
		case k < 8:
			b.WriteString(pick(r, plainPieces...))
		case k < 19 || !hostile:
			b.WriteString(pick(r, escapedPieces...))
		default:
			b.WriteString(pick(r, invalidPieces...))
		}
	}
	return b.String()
}

// genLogsInput is a random PutLogEvents input; a hostile one may break any
// rule of the model or hold what the hot path declines. It reports whether
// the input is one the hot path must take.
func genLogsInput(r *rand.Rand) (in *cloudwatchlogs.PutLogEventsInput, clean bool) {
	hostile := r.IntN(2) == 0
	clean = true
	odd := func(n int) bool {
		if hostile && r.IntN(n) == 0 {
			clean = false
			return true
		}
		return false
	}
	name := func(valid ...string) *string {
		if odd(15) {
			return pick(r, nil, aws.String(""), aws.String(strings.Repeat("a", pick(r, 512, 513))), aws.String("a:b"),
				aws.String("*"), aws.String("ünï"), aws.String("\xff"), aws.String("a\nb"))
		}
		return aws.String(pick(r, valid...))
	}
	in = &cloudwatchlogs.PutLogEventsInput{
		LogGroupName:  name("/bench", "my-app_1.#/x", "g", strings.Repeat("g", 512)),
		LogStreamName: name("s0", "i-0123/app", "2026/01/02/[$LATEST]abc", "strëam 😀", strings.Repeat("s", 512)),
	}
	if r.IntN(4) == 0 {
		in.SequenceToken = aws.String("49590302989349862137329")
		if odd(5) {
			in.SequenceToken = aws.String("")
		}
	}
	if odd(20) {
		in.Entity = &types.Entity{KeyAttributes: map[string]string{"Type": "Service", "Name": "app"}}
	}
	n := pick(r, 1, 1, 2, 3, 10, 100)
	if odd(20) {
		n = 0
	}
	now := int64(1_767_000_000_000)
	for i := range n {
		ev := types.InputLogEvent{Timestamp: aws.Int64(now + int64(i)), Message: aws.String(genMessage(r, hostile))}
		switch {
		case odd(40):
			ev.Timestamp = nil
		case odd(40):
			ev.Timestamp = aws.Int64(pick[int64](r, -1, math.MinInt64, math.MaxInt64, 1e18))
		case r.IntN(20) == 0:
			ev.Timestamp = aws.Int64(pick[int64](r, 0, 1, 999_999_999_999_999_999))
		}
		switch {
		case odd(40):
			ev.Message = nil
		case odd(40):
			ev.Message = aws.String("")
		}
		in.LogEvents = append(in.LogEvents, ev)
	}
	if odd(40) {
		in.LogEvents = nil
	}
	return in, clean
}

func TestHotPutLogEventsSDKBodies(t *testing.T) {
	sdk := newSDKLogs()
	r := rand.New(rand.NewPCG(11, 12))
	accepted, clean := 0, 0
	const n = 600
	for range n {
		in, ok := genLogsInput(r)
		body := sdk.body(t, in)
		got := checkHotLogs(t, body)
		if ok {
			clean++
			if !got {
				t.Fatalf("hot path declined a valid body of the SDK: %q", body)
			}
		}
		if got {
			accepted++
		}
	}
	t.Logf("hot path accepted %d of %d bodies (%d clean)", accepted, n, clean)
}

// The list bounds, through the SDK.
func TestHotPutLogEventsSDKLimits(t *testing.T) {
	sdk := newSDKLogs()
	for _, n := range []int{10_000, 10_001} {
		in := &cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s")}
		for i := range n {
			in.LogEvents = append(in.LogEvents, types.InputLogEvent{Timestamp: aws.Int64(int64(i)), Message: aws.String("m")})
		}
		if got := checkHotLogs(t, sdk.body(t, in)); got != (n <= 10_000) {
			t.Errorf("%d events: hot path took it: %v", n, got)
		}
	}
}

// escapeJSON writes s as a JSON string, choosing at random among the ways
// JSON allows for each character: as it is, a short escape, or \u escapes
// in either case, as a surrogate pair outside the BMP.
func escapeJSON(r *rand.Rand, s string) string {
	b := []byte{'"'}
	u := func(c rune) {
		f := "\\u%04x"
		if r.IntN(2) == 0 {
			f = "\\u%04X"
		}
		b = fmt.Appendf(b, f, c)
	}
	for _, c := range s {
		switch {
		case c == '"' || c == '\\':
			if r.IntN(4) == 0 {
				u(c)
			} else {
				b = append(b, '\\', byte(c))
			}
		case c == '/' && r.IntN(2) == 0:
			b = append(b, '\\', '/')
		case c < 0x20:
			if e := strings.IndexByte("\b\f\n\r\t", byte(c)); e >= 0 && r.IntN(2) == 0 {
				b = append(b, '\\', "bfnrt"[e])
			} else {
				u(c)
			}
		case r.IntN(4) == 0:
			if c > 0xffff {
				hi, lo := utf16.EncodeRune(c)
				u(hi)
				u(lo)
			} else {
				u(c)
			}
		default:
			b = utf8.AppendRune(b, c)
		}
	}
	return string(append(b, '"'))
}

// Bodies escaped every way JSON allows, with the members in any order: the
// hot path must take them and find the very messages written.
func TestHotPutLogEventsEscapes(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	for range 300 {
		msgs := make([]string, 1+r.IntN(20))
		for i := range msgs {
			msgs[i] = genMessage(r, false)
		}
		body := escapedLogsBody(r, "/g", "s", msgs)
		fast := new(logsapi.PutLogEventsRequest)
		if _, ok := hotLogs(body, fast); !checkHotLogs(t, body) || !ok {
			t.Fatalf("hot path declined %q", body)
		}
		for i, m := range msgs {
			if got := *fast.LogEvents[i].Message; got != m {
				t.Fatalf("message %d is %q, want %q", i, got, m)
			}
		}
	}
}

func escapedLogsBody(r *rand.Rand, group, stream string, msgs []string) []byte {
	ws := func() string { return pick(r, "", "", "", " ", "\n\t", "\r\n  ") }
	var evs []string
	for i, m := range msgs {
		fs := []string{`"timestamp"` + ws() + ":" + ws() + fmt.Sprint(1_767_000_000_000+i), `"message"` + ws() + ":" + ws() + escapeJSON(r, m)}
		r.Shuffle(len(fs), func(i, j int) { fs[i], fs[j] = fs[j], fs[i] })
		evs = append(evs, "{"+ws()+strings.Join(fs, ","+ws())+ws()+"}")
	}
	fs := []string{`"logGroupName":` + escapeJSON(r, group), `"logStreamName":` + ws() + escapeJSON(r, stream),
		`"logEvents":[` + ws() + strings.Join(evs, ws()+","+ws()) + ws() + "]"}
	if r.IntN(3) == 0 {
		fs = append(fs, `"sequenceToken":`+escapeJSON(r, "49590302989349862137329"))
	}
	r.Shuffle(len(fs), func(i, j int) { fs[i], fs[j] = fs[j], fs[i] })
	return []byte(ws() + "{" + ws() + strings.Join(fs, ","+ws()) + ws() + "}" + ws())
}

// ValidPutLogEvents must agree with shape.Validate on every input but one
// with an entity, which it leaves to Validate.
func TestValidPutLogEventsMatchesValidate(t *testing.T) {
	r := rand.New(rand.NewPCG(19, 20))
	op := logsapi.Model.Operation("PutLogEvents")
	str := func(vs ...string) *string {
		switch r.IntN(16) {
		case 0:
			return nil
		case 1, 2, 3, 4, 5, 6, 7:
			return aws.String(vs[len(vs)-1]) // a valid one
		}
		return aws.String(pick(r, vs...))
	}
	names := []string{"", "g", "a:b", "a*b", "ünï", "\xff", strings.Repeat("a", 512), strings.Repeat("a", 513),
		strings.Repeat("é", 512), strings.Repeat("é", 513), strings.Repeat("😀", 256), strings.Repeat("😀", 257), "/a-b_c.d#1"}
	valid := 0
	for range 5000 {
		in := &logsapi.PutLogEventsRequest{LogGroupName: str(names...), LogStreamName: str(names...)}
		if r.IntN(4) == 0 {
			in.SequenceToken = aws.String(pick(r, "", "t"))
		}
		if r.IntN(10) > 0 {
			n := pick(r, 0, 1, 1, 2, 5, 5)
			if r.IntN(50) == 0 {
				n = pick(r, 10_000, 10_001)
			}
			in.LogEvents = make([]logsapi.InputLogEvent, n)
			for i := range in.LogEvents {
				in.LogEvents[i] = logsapi.InputLogEvent{Timestamp: aws.Int64(0), Message: aws.String("m")}
			}
			if n > 0 && r.IntN(2) == 0 {
				ev := &in.LogEvents[r.IntN(n)]
				ev.Timestamp = pick(r, nil, aws.Int64(-1), aws.Int64(0), aws.Int64(math.MaxInt64), aws.Int64(math.MinInt64))
				ev.Message = pick(r, nil, aws.String(""), aws.String("x"), aws.String("\xff"), aws.String("😀"))
			}
		}
		entity := r.IntN(20) == 0
		if entity {
			in.Entity = &logsapi.Entity{KeyAttributes: map[string]string{"Type": pick(r, "Service", "")}}
		}
		want := len(shape.Validate(op.Input, reflect.ValueOf(in))) == 0
		got := logs.ValidPutLogEvents(in)
		if got != want && !(entity && !got) {
			t.Fatalf("ValidPutLogEvents = %v, Validate finds it valid: %v: %+v", got, want, in)
		}
		if got {
			valid++
		}
	}
	if valid < 500 {
		t.Fatalf("only %d valid inputs", valid)
	}
}

func FuzzHotPutLogEvents(f *testing.F) {
	sdk := newSDKLogs()
	r := rand.New(rand.NewPCG(15, 16))
	for range 48 {
		in, _ := genLogsInput(r)
		if len(in.LogEvents) > 3 {
			in.LogEvents = in.LogEvents[:3] // small seeds mutate faster
		}
		f.Add(sdk.body(f, in))
	}
	for range 16 {
		f.Add(escapedLogsBody(r, "/g", "s", []string{genMessage(r, true), genMessage(r, false)}))
	}
	for _, s := range []string{
		`{"logGroupName":"g","logStreamName":"s","logEvents":[{"timestamp":1,"message":"\ud83d\ude00 \ud83d \ude00"}]}`,
		`{"logGroupName":"g","logStreamName":"s","logEvents":[{"timestamp":-0,"message":"m"},{"timestamp":1.0,"message":"m"}]}`,
		`{"logGroupName":"g","logStreamName":"s","logEvents":[{"timestamp":1,"message":"m"}],"entity":{}}`,
		`{"logGroupName":"g","logStreamName":"s","logEvents":[null,{"timestamp":1,"message":"m","x":null}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) { checkHotLogs(t, body) })
}

// Through the server: what the hot path decodes is what is stored. Its
// messages live in a buffer of the request's; the body's own buffer is
// reused by the next request, which the concurrent calls exercise.
func TestHotPutLogEventsStored(t *testing.T) {
	srv, err := Start(context.Background(), Options{Addr: "127.0.0.1:0", DataDir: t.TempDir(),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown(context.Background())
	ctx := context.Background()
	client := cloudwatchlogs.New(cloudwatchlogs.Options{Region: "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint: aws.String("http://" + srv.Addr())})
	if _, err := client.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("/g")}); err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(17, 18))
	want := make([][]string, 4)
	for s := range want {
		for range 200 {
			want[s] = append(want[s], genMessage(r, false))
		}
		if _, err := client.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: aws.String("/g"), LogStreamName: aws.String(fmt.Sprint("s", s))}); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Now().UnixMilli()
	var wg sync.WaitGroup
	for s := range want {
		wg.Go(func() {
			for b := 0; b < len(want[s]); b += 50 {
				in := &cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String("/g"), LogStreamName: aws.String(fmt.Sprint("s", s))}
				for i, m := range want[s][b : b+50] {
					in.LogEvents = append(in.LogEvents, types.InputLogEvent{Timestamp: aws.Int64(now + int64(b+i)), Message: aws.String(m)})
				}
				if _, err := client.PutLogEvents(ctx, in); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	for s := range want {
		out, err := client.GetLogEvents(ctx, &cloudwatchlogs.GetLogEventsInput{LogGroupName: aws.String("/g"),
			LogStreamName: aws.String(fmt.Sprint("s", s)), StartFromHead: aws.Bool(true)})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range out.Events {
			got = append(got, aws.ToString(e.Message))
		}
		if !slices.Equal(got, want[s]) {
			t.Fatalf("stream s%d: stored messages differ:\ngot  %q\nwant %q", s, got, want[s])
		}
	}
	// And the refusals are the generic path's.
	_, err = client.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String("/g"), LogStreamName: aws.String("s0"),
		LogEvents: []types.InputLogEvent{{Timestamp: aws.Int64(now), Message: aws.String("")}}})
	if err == nil || !strings.Contains(err.Error(), "Member must have length greater than or equal to 1") {
		t.Fatalf("empty message: %v", err)
	}
}
