package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
)

// putCall is one PutLogEvents request as the fake server decoded it.
type putCall struct {
	LogGroupName  string `json:"logGroupName"`
	LogStreamName string `json:"logStreamName"`
	LogEvents     []struct {
		Timestamp int64  `json:"timestamp"`
		Message   string `json:"message"`
	} `json:"logEvents"`
}

// fakeLogs is a CloudWatch Logs endpoint speaking awsJson1_1 that records
// what it is sent. answer, when set, may replace the `{}` it answers with:
// it returns a status and a body.
type fakeLogs struct {
	mu      sync.Mutex
	groups  []string
	streams []string
	puts    []putCall
	answer  func(op string, n int) (int, string) // n: calls of op so far, from 1
}

func (f *fakeLogs) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	op, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), "Logs_20140328.")
	if !ok || r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/x-amz-json-1.1" {
		http.Error(w, "not an awsJson1_1 Logs request", http.StatusBadRequest)
		return
	}
	var in struct {
		putCall
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	var n int
	switch op {
	case "CreateLogGroup":
		f.groups = append(f.groups, in.LogGroupName)
		n = len(f.groups)
	case "CreateLogStream":
		f.streams = append(f.streams, in.LogGroupName+":"+in.LogStreamName)
		n = len(f.streams)
	case "PutLogEvents":
		f.puts = append(f.puts, in.putCall)
		n = len(f.puts)
	}
	answer := f.answer
	f.mu.Unlock()
	status, body := http.StatusOK, `{}`
	if answer != nil {
		status, body = answer(op, n)
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.WriteHeader(status)
	fmt.Fprint(w, body)
}

func awsError(code string) (int, string) {
	return http.StatusBadRequest, fmt.Sprintf(`{"__type":"%s","message":"fake %s"}`, code, code)
}

func TestPutLogEvents(t *testing.T) {
	f := &fakeLogs{}
	srv := httptest.NewServer(f)
	defer srv.Close()
	var log bytes.Buffer
	before := time.Now().UnixMilli()
	res, err := PutLogEvents(context.Background(), PutLogEventsConfig{
		Endpoint: srv.URL, Workers: 2, Streams: 3, BatchSize: 50, EventBytes: 300,
		MaxRequests: 9, Duration: time.Minute, Group: "/test/bench", Seed: 7,
	}, &log)
	after := time.Now().UnixMilli()
	if err != nil {
		t.Fatal(err)
	}
	t.Log(log.String())

	if !slices.Equal(f.groups, []string{"/test/bench"}) {
		t.Errorf("groups created: %q", f.groups)
	}
	if want := []string{"/test/bench:bench-0", "/test/bench:bench-1", "/test/bench:bench-2"}; !slices.Equal(f.streams, want) {
		t.Errorf("streams created: %q, want %q", f.streams, want)
	}
	if len(f.puts) != 9 {
		t.Fatalf("%d PutLogEvents calls, want 9", len(f.puts))
	}
	var events, msgBytes int64
	levels := map[string]int{}
	distinct := map[string]bool{}
	last := map[string]int64{}
	var worker0 []string // streams 0 and 2 are worker 0's, in the order it wrote them
	for _, p := range f.puts {
		if p.LogGroupName != "/test/bench" {
			t.Errorf("put to group %q", p.LogGroupName)
		}
		switch p.LogStreamName {
		case "bench-0", "bench-2":
			worker0 = append(worker0, p.LogStreamName)
		case "bench-1":
		default:
			t.Errorf("put to stream %q", p.LogStreamName)
		}
		if len(p.LogEvents) != 50 {
			t.Errorf("batch of %d events, want 50", len(p.LogEvents))
		}
		for i, e := range p.LogEvents {
			events++
			msgBytes += int64(len(e.Message))
			if len(e.Message) != 300 {
				t.Errorf("message of %d bytes, want 300: %s", len(e.Message), e.Message)
			}
			if e.Timestamp < before-logStampSpread || e.Timestamp > after {
				t.Errorf("timestamp %d outside [%d, %d]", e.Timestamp, before-logStampSpread, after)
			}
			// Chronological within the batch and across the stream's batches.
			if e.Timestamp < last[p.LogStreamName] {
				t.Errorf("%s event %d: timestamp %d before %d", p.LogStreamName, i, e.Timestamp, last[p.LogStreamName])
			}
			last[p.LogStreamName] = e.Timestamp
			var line struct {
				Time, Level, Service, RequestID, Method, Path, User, Msg string
				Status                                                   int
				LatencyMS                                                float64
			}
			if err := json.Unmarshal([]byte(e.Message), &line); err != nil {
				t.Fatalf("message is not JSON: %v: %s", err, e.Message)
			}
			if strings.Contains(e.Message, "%!") {
				t.Errorf("message has a formatting error: %s", e.Message)
			}
			if line.Time == "" || line.Service == "" || line.Method == "" || line.Path == "" || line.User == "" || line.Msg == "" || line.Status == 0 {
				t.Errorf("message lacks fields: %s", e.Message)
			}
			levels[line.Level]++
			distinct[e.Message] = true
		}
	}
	for i, s := range worker0 {
		if want := []string{"bench-0", "bench-2"}[i%2]; s != want {
			t.Errorf("worker 0 wrote %q, want round-robin %q", worker0, want)
			break
		}
	}
	if levels["INFO"] == 0 || levels["INFO"]+levels["WARN"]+levels["ERROR"] != int(events) {
		t.Errorf("levels: %v", levels)
	}
	if len(distinct) < int(events)*9/10 {
		t.Errorf("only %d distinct messages of %d", len(distinct), events)
	}

	if res.Requests != 9 || res.Events != 450 || res.Events != events || res.Bytes != msgBytes || res.Bytes != 450*300 || res.Errors != 0 || res.Rejected != 0 {
		t.Errorf("result %+v; server saw %d events, %d bytes", res, events, msgBytes)
	}
	if s := res.String(); !strings.Contains(s, "9 requests, 450 events, 0.1 MB") {
		t.Errorf("result reads %q", s)
	}
}

func TestPutLogEventsRejectedAndErrors(t *testing.T) {
	f := &fakeLogs{answer: func(op string, n int) (int, string) {
		switch {
		case op == "CreateLogGroup" || op == "CreateLogStream" && n == 1:
			return awsError("ResourceAlreadyExistsException")
		case op == "PutLogEvents" && n == 1:
			return awsError("InvalidParameterException")
		case op == "PutLogEvents" && n%2 == 0:
			// Events 0–2 too old, 0–3 expired, 8–9 too new: 3..8 accepted.
			return http.StatusOK, `{"rejectedLogEventsInfo":{"tooOldLogEventEndIndex":2,"expiredLogEventEndIndex":3,"tooNewLogEventStartIndex":8}}`
		}
		return http.StatusOK, `{}`
	}}
	srv := httptest.NewServer(f)
	defer srv.Close()
	var log bytes.Buffer
	res, err := PutLogEvents(context.Background(), PutLogEventsConfig{
		Endpoint: srv.URL, Workers: 1, Streams: 2, BatchSize: 10, EventBytes: 400, MaxRequests: 5, Duration: time.Minute,
	}, &log)
	if err != nil {
		t.Fatal(err)
	}
	t.Log(log.String())
	if !slices.Equal(f.groups, []string{"/vigil/bench"}) || len(f.streams) != 2 || len(f.puts) != 5 {
		t.Fatalf("groups %q, streams %q, %d puts", f.groups, f.streams, len(f.puts))
	}
	// Call 1 failed; 2 and 4 had 5 events accepted and 5 rejected; 3 and 5
	// had all 10 accepted.
	var wantBytes int64
	for i, p := range f.puts {
		switch i + 1 {
		case 2, 4:
			for _, e := range p.LogEvents[3:8] {
				wantBytes += int64(len(e.Message))
			}
		case 3, 5:
			for _, e := range p.LogEvents {
				wantBytes += int64(len(e.Message))
			}
		}
	}
	if want := (LogsResult{Requests: 4, Events: 30, Bytes: wantBytes, Rejected: 10, Errors: 1, Elapsed: res.Elapsed}); res != want || wantBytes != 30*400 {
		t.Errorf("result %+v, want %+v", res, want)
	}
	for _, s := range []string{"error: ", "InvalidParameterException", "rejected: bench-1: 5 of 10 events rejected", "rejected: bench-1: 5 of 10"} {
		if !strings.Contains(log.String(), s) {
			t.Errorf("log lacks %q", s)
		}
	}
}

func TestPutLogEventsSetupFails(t *testing.T) {
	f := &fakeLogs{answer: func(op string, n int) (int, string) {
		if op == "CreateLogStream" && n == 2 {
			return awsError("AccessDeniedException")
		}
		return http.StatusOK, `{}`
	}}
	srv := httptest.NewServer(f)
	defer srv.Close()
	_, err := PutLogEvents(context.Background(), PutLogEventsConfig{Endpoint: srv.URL, MaxRequests: 1}, new(bytes.Buffer))
	if err == nil || !strings.Contains(err.Error(), "bench-1") || !strings.Contains(err.Error(), "AccessDenied") {
		t.Fatalf("want an error creating bench-1, got %v", err)
	}
	if len(f.puts) != 0 {
		t.Errorf("%d puts after a failed setup", len(f.puts))
	}
}

func TestPutLogEventsConfig(t *testing.T) {
	for _, c := range []PutLogEventsConfig{
		{Workers: 4, Streams: 3},
		{Workers: -1},
		{BatchSize: maxLogBatchEvents + 1},
		{BatchSize: -1},
		{EventBytes: maxLogMessageBytes + 1},
	} {
		c.Endpoint = "http://127.0.0.1:1" // never reached
		if _, err := PutLogEvents(context.Background(), c, new(bytes.Buffer)); err == nil || !strings.HasPrefix(err.Error(), "bench: ") {
			t.Errorf("%+v: want a config error, got %v", c, err)
		}
	}
}

func TestAcceptedRange(t *testing.T) {
	i := aws.Int32
	for _, c := range []struct {
		info   types.RejectedLogEventsInfo
		lo, hi int
	}{
		{types.RejectedLogEventsInfo{}, 0, 10},
		{types.RejectedLogEventsInfo{TooOldLogEventEndIndex: i(4)}, 4, 10},
		{types.RejectedLogEventsInfo{ExpiredLogEventEndIndex: i(6), TooOldLogEventEndIndex: i(4)}, 6, 10},
		{types.RejectedLogEventsInfo{TooNewLogEventStartIndex: i(7)}, 0, 7},
		{types.RejectedLogEventsInfo{TooOldLogEventEndIndex: i(3), TooNewLogEventStartIndex: i(7)}, 3, 7},
		{types.RejectedLogEventsInfo{TooOldLogEventEndIndex: i(8), TooNewLogEventStartIndex: i(5)}, 8, 8},
		{types.RejectedLogEventsInfo{TooOldLogEventEndIndex: i(12)}, 10, 10},
		{types.RejectedLogEventsInfo{TooNewLogEventStartIndex: i(0)}, 0, 0},
	} {
		if lo, hi := acceptedRange(&c.info, 10); lo != c.lo || hi != c.hi {
			t.Errorf("%+v: [%d, %d), want [%d, %d)", c.info, lo, hi, c.lo, c.hi)
		}
	}
}

func TestLineGen(t *testing.T) {
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	a, b := newLineGen(3, at).pool(2000, 300), newLineGen(3, at).pool(2000, 300)
	levels := map[string]int{}
	for i := range a {
		if *a[i] != *b[i] {
			t.Fatalf("line %d differs for the same seed:\n%s\n%s", i, *a[i], *b[i])
		}
		var line struct{ Level, Msg string }
		if err := json.Unmarshal([]byte(*a[i]), &line); err != nil || len(*a[i]) != 300 {
			t.Fatalf("line %d (%d bytes, %v): %s", i, len(*a[i]), err, *a[i])
		}
		levels[line.Level]++
	}
	// Mostly INFO, some WARN and fewer ERROR (85/10/5 in expectation).
	if levels["INFO"] < 1500 || levels["WARN"] < 100 || levels["ERROR"] < 40 || levels["ERROR"] > levels["WARN"] {
		t.Errorf("levels %v", levels)
	}
	if c := newLineGen(4, at).pool(1, 300); *c[0] == *a[0] {
		t.Errorf("another seed gave the same line")
	}
	for _, size := range []int{290, 1000, 8192} {
		for _, l := range newLineGen(1, at).pool(200, size) {
			if len(*l) != size || !json.Valid([]byte(*l)) {
				t.Fatalf("%d bytes asked, got %d: %s", size, len(*l), *l)
			}
		}
	}
	// Below the size of the fields, lines stay whole and valid.
	for _, l := range newLineGen(1, at).pool(200, 50) {
		if !json.Valid([]byte(*l)) {
			t.Fatalf("invalid line: %s", *l)
		}
	}
}
