package logs

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"unsafe"

	logsapi "github.com/vigilhq/vigil/internal/api/logs"
	"github.com/vigilhq/vigil/internal/api/shape"
	"github.com/vigilhq/vigil/internal/logs/filterpattern"
	"github.com/vigilhq/vigil/internal/logstore"
)

// Reads answer at most 10,000 events and 1 MB of messages (API reference,
// GetLogEvents and FilterLogEvents).
const (
	maxReadEvents = 10_000
	maxReadBytes  = 1 << 20
)

// --- GetLogEvents tokens ---------------------------------------------------------

// A gap is a position between events in (timestamp, sequence) order: the
// events before it are < (t, seq), those after it ≥ (t, seq). GetLogEvents
// tokens are gaps with a direction: f/ reads the events after the gap
// oldest first, b/ the events before it newest first. Reading from a gap
// that has no events in that direction returns the same token, which is
// how clients see the end of a stream.
type gap struct {
	t   int64
	seq uint64
}

var (
	gapStart = gap{t: math.MinInt64}
	gapEnd   = gap{t: math.MaxInt64, seq: math.MaxUint64}
)

func gapBefore(r *logstore.Record) gap { return gap{r.Timestamp, r.Seq} }
func gapAfter(r *logstore.Record) gap  { return gap{r.Timestamp, r.Seq + 1} }

// The token spells the gap in digits, like AWS's own tokens: the timestamp
// biased to be non-negative, then the sequence number, 20 digits each.
func (g gap) token(forward bool) *string {
	dir := "b/"
	if forward {
		dir = "f/"
	}
	return shape.Ptr(fmt.Sprintf("%s%020d%020d/s", dir, uint64(g.t)^(1<<63), g.seq))
}

func parseGapToken(tok string) (g gap, forward bool, err error) {
	bad := invalidParameter("The specified nextToken is invalid.")
	if len(tok) != 2+40+2 || (tok[:2] != "f/" && tok[:2] != "b/") || tok[42:] != "/s" {
		return gap{}, false, bad
	}
	t, err1 := strconv.ParseUint(tok[2:22], 10, 64)
	seq, err2 := strconv.ParseUint(tok[22:42], 10, 64)
	if err1 != nil || err2 != nil {
		return gap{}, false, bad
	}
	return gap{t: int64(t ^ (1 << 63)), seq: seq}, tok[0] == 'f', nil
}

// cursor is the logstore position to resume after to read from g.
func (g gap) cursor(forward bool) logstore.Cursor {
	if !forward {
		return logstore.Cursor{Time: g.t, Seq: g.seq, Valid: true}
	}
	if g.seq > 0 {
		return logstore.Cursor{Time: g.t, Seq: g.seq - 1, Valid: true}
	}
	if g.t == math.MinInt64 {
		return logstore.Cursor{}
	}
	return logstore.Cursor{Time: g.t - 1, Seq: math.MaxUint64, Valid: true}
}

func (s *Service) GetLogEvents(ctx context.Context, in *logsapi.GetLogEventsRequest) (*logsapi.GetLogEventsResponse, error) {
	p := partitionOf(ctx)
	gname, err := resolveGroup(ctx, in.LogGroupName, in.LogGroupIdentifier)
	if err != nil {
		return nil, err
	}
	sname := shape.Value(in.LogStreamName)
	g, st := s.cat.groupStream(p, gname, sname)
	if g == nil {
		return nil, errGroupNotFound()
	}
	if st == nil {
		return nil, errStreamNotFound()
	}
	from, forward := gapEnd, shape.Value(in.StartFromHead)
	if forward {
		from = gapStart
	}
	if in.NextToken != nil {
		if from, forward, err = parseGapToken(*in.NextToken); err != nil {
			return nil, err
		}
	}
	q := logstore.Query{
		Group:    gname,
		Streams:  []string{sname},
		Start:    shape.Value(in.StartTime),
		End:      shape.Value(in.EndTime),
		Backward: !forward,
		After:    from.cursor(forward),
		Limit:    min(limitOf(in.Limit, maxReadEvents), maxReadEvents),
		MaxBytes: maxReadBytes,
	}
	if q.Start < 0 || q.End < 0 {
		return nil, invalidParameter("startTime and endTime must not be negative.")
	}
	page, err := s.events.Read(ctx, p, q)
	if err != nil {
		return nil, err
	}
	recs := page.Records
	out := &logsapi.GetLogEventsResponse{Events: make([]logsapi.OutputLogEvent, len(recs))}
	for i := range recs {
		r := &recs[i]
		j := i
		if !forward { // answers are oldest first in both directions
			j = len(recs) - 1 - i
		}
		out.Events[j] = logsapi.OutputLogEvent{Timestamp: shape.Ptr(r.Timestamp), IngestionTime: shape.Ptr(r.IngestionTime), Message: shape.Ptr(string(r.Message))}
	}
	switch {
	case len(recs) == 0 && in.NextToken != nil:
		// The end in this direction: the same token again, and the other
		// direction from the same place.
		out.NextForwardToken, out.NextBackwardToken = from.token(true), from.token(false)
		if forward {
			out.NextForwardToken = in.NextToken
		} else {
			out.NextBackwardToken = in.NextToken
		}
	case len(recs) == 0:
		// An empty stream (or range): both tokens sit at the start, so a
		// forward poll finds the events written later.
		out.NextForwardToken, out.NextBackwardToken = gapStart.token(true), gapStart.token(false)
	default:
		oldest, newest := &recs[0], &recs[len(recs)-1]
		if !forward {
			oldest, newest = newest, oldest
		}
		out.NextForwardToken, out.NextBackwardToken = gapAfter(newest).token(true), gapBefore(oldest).token(false)
	}
	return out, nil
}

// --- FilterLogEvents ---------------------------------------------------------------

// A FilterLogEvents token is base64url(version, 16 bytes of the request
// hash, the last returned event's timestamp and sequence): it resumes the
// same search only.
const filterTokenVersion = 1

func filterHash(p partition, gname string, in *logsapi.FilterLogEventsRequest) [16]byte {
	parts := []any{p.Account, p.Region, gname, in.LogStreamNames, in.LogStreamNamePrefix, in.StartTime, in.EndTime, in.FilterPattern}
	b, _ := json.Marshal(parts) // unambiguous framing of the parts
	sum := sha256.Sum256(b)
	return [16]byte(sum[:16])
}

func encodeFilterToken(bind [16]byte, c logstore.Cursor) *string {
	b := make([]byte, 0, 1+16+16)
	b = append(b, filterTokenVersion)
	b = append(b, bind[:]...)
	b = binary.BigEndian.AppendUint64(b, uint64(c.Time))
	b = binary.BigEndian.AppendUint64(b, c.Seq)
	return shape.Ptr(base64.RawURLEncoding.EncodeToString(b))
}

func decodeFilterToken(tok string, bind [16]byte) (logstore.Cursor, error) {
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || len(b) != 1+16+16 || b[0] != filterTokenVersion || [16]byte(b[1:17]) != bind {
		return logstore.Cursor{}, invalidParameter("The specified nextToken is invalid.")
	}
	return logstore.Cursor{Time: int64(binary.BigEndian.Uint64(b[17:25])), Seq: binary.BigEndian.Uint64(b[25:33]), Valid: true}, nil
}

// eventID is unique per stored event: its timestamp and sequence number in
// digits.
func eventID(r *logstore.Record) string {
	return fmt.Sprintf("%020d%020d", uint64(r.Timestamp)^(1<<63), r.Seq)
}

func (s *Service) FilterLogEvents(ctx context.Context, in *logsapi.FilterLogEventsRequest) (*logsapi.FilterLogEventsResponse, error) {
	p := partitionOf(ctx)
	gname, err := resolveGroup(ctx, in.LogGroupName, in.LogGroupIdentifier)
	if err != nil {
		return nil, err
	}
	if in.LogStreamNames != nil && in.LogStreamNamePrefix != nil {
		return nil, invalidParameter("logStreamNames and logStreamNamePrefix are mutually exclusive parameters.")
	}
	if s.cat.group(p, gname) == nil {
		return nil, errGroupNotFound()
	}
	pat, err := parsePattern(shape.Value(in.FilterPattern), false)
	if err != nil {
		return nil, err
	}
	q := logstore.Query{
		Group:        gname,
		Streams:      in.LogStreamNames,
		StreamPrefix: shape.Value(in.LogStreamNamePrefix),
		Start:        shape.Value(in.StartTime),
		Limit:        min(limitOf(in.Limit, maxReadEvents), maxReadEvents),
		MaxBytes:     maxReadBytes,
		// Every matching event contains these: blocks without them are
		// skipped unread.
		RequiredSubstrings: pat.RequiredSubstrings(),
	}
	if q.Start < 0 || shape.Value(in.EndTime) < 0 {
		return nil, invalidParameter("startTime and endTime must not be negative.")
	}
	// endTime is inclusive here ("events with a timestamp later than this
	// time are not returned").
	if in.EndTime != nil {
		q.End = *in.EndTime + 1
	}
	if pat.Kind() != filterpattern.KindAll {
		q.Match = func(msg []byte) bool { return pat.Match(unsafe.String(unsafe.SliceData(msg), len(msg))) }
		q.Columns = columnFilter(pat)
		// Rows holding none of a term pattern's alternatives are dropped
		// before Match, most without being rebuilt.
		q.AnyOf, _ = pat.TermClauses()
	}
	bind := filterHash(p, gname, in)
	if in.NextToken != nil {
		if q.After, err = decodeFilterToken(*in.NextToken, bind); err != nil {
			return nil, err
		}
	}
	page, err := s.events.Read(ctx, p, q)
	if err != nil {
		return nil, err
	}
	out := &logsapi.FilterLogEventsResponse{Events: make([]logsapi.FilteredLogEvent, len(page.Records))}
	for i := range page.Records {
		r := &page.Records[i]
		out.Events[i] = logsapi.FilteredLogEvent{
			LogStreamName: shape.Ptr(r.Stream),
			Timestamp:     shape.Ptr(r.Timestamp),
			IngestionTime: shape.Ptr(r.IngestionTime),
			Message:       shape.Ptr(string(r.Message)),
			EventId:       shape.Ptr(eventID(r)),
		}
	}
	if page.More {
		out.NextToken = encodeFilterToken(bind, page.Next)
	}
	return out, nil
}

// --- GetLogRecord -----------------------------------------------------------------

func (s *Service) GetLogRecord(ctx context.Context, in *logsapi.GetLogRecordRequest) (*logsapi.GetLogRecordResponse, error) {
	p := partitionOf(ctx)
	gname, r, err := s.events.GetRecord(ctx, p, shape.Value(in.LogRecordPointer))
	switch {
	case errors.Is(err, logstore.ErrBadPointer):
		return nil, invalidParameter("The specified logRecordPointer is invalid.")
	case errors.Is(err, logstore.ErrNotFound):
		return nil, notFound("The specified log record does not exist.")
	case err != nil:
		return nil, err
	}
	return &logsapi.GetLogRecordResponse{LogRecord: map[string]string{
		"@timestamp":     strconv.FormatInt(r.Timestamp, 10),
		"@ingestionTime": strconv.FormatInt(r.IngestionTime, 10),
		"@message":       string(r.Message),
		"@logStream":     r.Stream,
		"@log":           p.Account + ":" + gname,
	}}, nil
}
