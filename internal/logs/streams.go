package logs

import (
	"cmp"
	"context"
	"encoding/base64"
	"encoding/binary"
	"slices"
	"strings"

	logsapi "github.com/vigilhq/vigil/internal/api/logs"
	"github.com/vigilhq/vigil/internal/api/shape"
)

func (s *Service) CreateLogStream(ctx context.Context, in *logsapi.CreateLogStreamRequest) error {
	p := partitionOf(ctx)
	gname, sname := shape.Value(in.LogGroupName), shape.Value(in.LogStreamName)
	s.cat.mu.Lock()
	defer s.cat.mu.Unlock()
	g := s.cat.groups[p][gname]
	if g == nil {
		return errGroupNotFound()
	}
	if g.streams[sname] != nil {
		return alreadyExists("The specified log stream already exists")
	}
	d := streamDoc{Name: sname, Created: nowMillis(ctx)}
	if err := s.cat.put(ctx, p, kindStream, gname, sname, d); err != nil {
		return err
	}
	g.streams[sname] = &stream{doc: d}
	return nil
}

func (s *Service) DeleteLogStream(ctx context.Context, in *logsapi.DeleteLogStreamRequest) error {
	p := partitionOf(ctx)
	gname, sname := shape.Value(in.LogGroupName), shape.Value(in.LogStreamName)
	s.cat.mu.Lock()
	defer s.cat.mu.Unlock()
	g := s.cat.groups[p][gname]
	if g == nil {
		return errGroupNotFound()
	}
	if g.streams[sname] == nil {
		return errStreamNotFound()
	}
	if err := s.events.DeleteLogStream(ctx, p, gname, sname); err != nil {
		return err
	}
	if err := s.cat.delete(ctx, p, kindStream, gname, sname); err != nil {
		return err
	}
	delete(g.streams, sname)
	return nil
}

// A DescribeLogStreams token is the last returned stream's sort key: its
// last event time (when ordering by it) and name.
func encodeStreamToken(last int64, name string) *string {
	b := binary.BigEndian.AppendUint64(nil, uint64(last))
	return shape.Ptr(base64.RawURLEncoding.EncodeToString(append(b, name...)))
}

func decodeStreamToken(tok *string) (last int64, name string, ok bool, err error) {
	if tok == nil {
		return 0, "", false, nil
	}
	b, derr := base64.RawURLEncoding.DecodeString(*tok)
	if derr != nil || len(b) < 9 {
		return 0, "", false, invalidParameter("The specified nextToken is invalid.")
	}
	return int64(binary.BigEndian.Uint64(b)), string(b[8:]), true, nil
}

func (s *Service) DescribeLogStreams(ctx context.Context, in *logsapi.DescribeLogStreamsRequest) (*logsapi.DescribeLogStreamsResponse, error) {
	p := partitionOf(ctx)
	gname, err := resolveGroup(ctx, in.LogGroupName, in.LogGroupIdentifier)
	if err != nil {
		return nil, err
	}
	byTime := shape.Value(in.OrderBy) == logsapi.OrderByLastEventTime
	if byTime && in.LogStreamNamePrefix != nil {
		return nil, invalidParameter("Cannot order by LastEventTime with a logStreamNamePrefix.")
	}
	afterTime, afterName, resume, err := decodeStreamToken(in.NextToken)
	if err != nil {
		return nil, err
	}
	desc := shape.Value(in.Descending)
	limit := limitOf(in.Limit, 50)
	prefix := shape.Value(in.LogStreamNamePrefix)

	s.cat.mu.RLock()
	g := s.cat.groups[p][gname]
	if g == nil {
		s.cat.mu.RUnlock()
		return nil, errGroupNotFound()
	}
	docs := make([]streamDoc, 0, len(g.streams))
	for name, st := range g.streams {
		if strings.HasPrefix(name, prefix) {
			docs = append(docs, st.snapshot())
		}
	}
	s.cat.mu.RUnlock()

	key := func(d *streamDoc) int64 {
		if byTime {
			return d.LastEvent
		}
		return 0
	}
	order := func(a, b *streamDoc) int {
		c := cmp.Or(cmp.Compare(key(a), key(b)), strings.Compare(a.Name, b.Name))
		if desc {
			return -c
		}
		return c
	}
	slices.SortFunc(docs, func(a, b streamDoc) int { return order(&a, &b) })
	out := &logsapi.DescribeLogStreamsResponse{LogStreams: []logsapi.LogStream{}}
	cursor := streamDoc{Name: afterName, LastEvent: afterTime}
	for i := range docs {
		d := &docs[i]
		if resume && order(d, &cursor) <= 0 {
			continue
		}
		if len(out.LogStreams) == limit {
			last := &docs[i-1]
			out.NextToken = encodeStreamToken(key(last), last.Name)
			break
		}
		ls := logsapi.LogStream{
			LogStreamName: shape.Ptr(d.Name),
			CreationTime:  shape.Ptr(d.Created),
			Arn:           shape.Ptr(streamArn(p, gname, d.Name)),
			// storedBytes of streams is documented as always zero.
			StoredBytes: shape.Ptr(int64(0)),
		}
		if d.LastIngest != 0 {
			ls.FirstEventTimestamp = shape.Ptr(d.FirstEvent)
			ls.LastEventTimestamp = shape.Ptr(d.LastEvent)
			ls.LastIngestionTime = shape.Ptr(d.LastIngest)
		}
		out.LogStreams = append(out.LogStreams, ls)
	}
	return out, nil
}
