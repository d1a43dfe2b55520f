package sqs

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"slices"
	"sync"
	"time"

	"github.com/vigilhq/vigil/internal/api/shape"
	sqsapi "github.com/vigilhq/vigil/internal/api/sqs"
)

// Message move tasks (StartMessageMoveTask, ListMessageMoveTasks,
// CancelMessageMoveTask): a dead-letter queue's messages are moved to an
// explicit destination, or each back to the queue it came from
// (DeadLetterQueueSourceArn), by a goroutine the Service owns.
//
// The task list lives in memory only (our decision): a restart forgets
// tasks and stops a running one; every message is still in exactly one
// queue, because each move is one synced batch, so starting a new task
// finishes the job.

const (
	maxMoveRate       = 500
	maxListMoveTasks  = 10
	keptMoveTasks     = 10 // finished tasks kept per source, as ListMessageMoveTasks shows at most 10
	moveStatusRunning = "RUNNING"
)

// moveTask is one task. Its fields after the immutable header are guarded
// by moveTasks.mu.
type moveTask struct {
	handle, source, dest string
	rate                 int32 // 0: unset, we move at maxMoveRate
	started              int64 // unix ms
	toMove               int64

	status string
	moved  int64
	reason string
	cancel chan struct{} // closed by CancelMessageMoveTask
}

// moveTasks is the Service's task list and the owner of the goroutines.
type moveTasks struct {
	mu       sync.Mutex
	bySource map[string][]*moveTask // oldest first
	wg       sync.WaitGroup
	// tick paces the moves: one batch of up to rate messages per tick. A
	// test replaces it to step the task by hand.
	tick func() (<-chan time.Time, func())
}

// wait waits for every task goroutine once s.closing is closed. Taking
// the lock first lets a StartMessageMoveTask that checked s.closing before
// it was closed finish its wg.Add, so Add never races with Wait.
func (m *moveTasks) wait() {
	m.mu.Lock()
	m.mu.Unlock()
	m.wg.Wait()
}

func secondTicker() (<-chan time.Time, func()) {
	t := time.NewTicker(time.Second)
	return t.C, t.Stop
}

// StartMessageMoveTask checks AWS's rules and starts the move: the source
// is a queue of the caller's that some queue names as its dead-letter
// queue, the destination (optional) exists and is of the source's type
// (our decision, mirroring the RedrivePolicy rule), the rate is 1 to 500,
// and the source has no RUNNING task.
func (s *Service) StartMessageMoveTask(ctx context.Context, in *sqsapi.StartMessageMoveTaskRequest) (*sqsapi.StartMessageMoveTaskResult, error) {
	c := callOf(ctx)
	srcArn := shape.Value(in.SourceArn)
	if srcArn == "" {
		return nil, missingParameter("SourceArn")
	}
	src, err := s.queueByArn(c, srcArn)
	if err != nil {
		return nil, err
	}
	if !s.isDeadLetterQueue(src) {
		return nil, invalidParameter("Source queue must be configured as a Dead Letter Queue.")
	}
	var dst *queue
	if d := shape.Value(in.DestinationArn); d != "" {
		if dst, err = s.queueByArn(c, d); err != nil {
			return nil, err
		}
		if dst == src {
			return nil, invalidParameter("Source queue and destination queue must be different.")
		}
		if dst.settings.Load().Fifo != src.settings.Load().Fifo {
			return nil, invalidParameter("Source queue and destination queue must be of the same type.")
		}
	}
	var rate int32
	if in.MaxNumberOfMessagesPerSecond != nil {
		rate = *in.MaxNumberOfMessagesPerSecond
		if rate < 1 || rate > maxMoveRate {
			return nil, invalidParameter("Value %d for parameter MaxNumberOfMessagesPerSecond is invalid. Reason: must be between 1 and 500.", rate)
		}
	}
	t := &moveTask{source: src.arn(), dest: shape.Value(in.DestinationArn), rate: rate,
		started: s.clock.Now().UnixMilli(), status: moveStatusRunning, cancel: make(chan struct{})}
	t.handle = moveHandle(s.ids.UUID(), t.source)
	src.mu.Lock()
	t.toMove = int64(src.idx.len())
	src.mu.Unlock()

	m := &s.moves
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, o := range m.bySource[t.source] {
		if o.status == moveStatusRunning || o.status == "CANCELLING" {
			return nil, invalidParameter("There is already a task running. Only one active task is allowed for a source queue arn at a given time.")
		}
	}
	select {
	case <-s.closing:
		return nil, shape.Errorf("ServiceUnavailable", "The service is shutting down.")
	default:
	}
	if m.bySource == nil {
		m.bySource = map[string][]*moveTask{}
	}
	list := append(m.bySource[t.source], t)
	if len(list) > keptMoveTasks {
		list = list[len(list)-keptMoveTasks:]
	}
	m.bySource[t.source] = list
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		s.runMove(t, src, dst)
	}()
	return &sqsapi.StartMessageMoveTaskResult{TaskHandle: &t.handle}, nil
}

// moveHandle is an opaque handle naming the task and its source, in AWS's
// style (base64 of a small JSON document).
func moveHandle(id, source string) string {
	b, _ := json.Marshal(struct {
		TaskID    string `json:"taskId"`
		SourceArn string `json:"sourceArn"`
	}{id, source})
	return base64.StdEncoding.EncodeToString(b)
}

// queueByArn finds a queue of the caller's by ARN; any other ARN names no
// queue the caller can reach.
func (s *Service) queueByArn(c call, arn string) (*queue, error) {
	region, account, name, ok := parseQueueArn(arn)
	if !ok || account != c.account || region != c.region {
		return nil, errNoMoveQueue()
	}
	q, err := s.queueByName(c.key(name))
	if err != nil {
		return nil, errNoMoveQueue()
	}
	return q, nil
}

func errNoMoveQueue() error {
	return &sqsapi.ResourceNotFoundException{Message: shape.Ptr("The resource that you specified for the SourceArn or DestinationArn parameter doesn't exist.")}
}

// isDeadLetterQueue reports whether some queue's RedrivePolicy names q.
func (s *Service) isDeadLetterQueue(q *queue) bool {
	arn := q.arn()
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, o := range s.queues {
		if p := o.settings.Load().Redrive; p != nil && p.Target == arn {
			return true
		}
	}
	return false
}

// runMove moves one batch of up to the rate per tick until the messages
// counted at the start are moved or none is visible (our decision: a
// message in flight, or sent after the start, stays), the task is
// cancelled, or the service closes (the task then ends CANCELLED).
func (s *Service) runMove(t *moveTask, src, dst *queue) {
	rate := int(t.rate)
	if rate == 0 {
		rate = maxMoveRate
	}
	ticks, stop := s.moves.tick()
	defer stop()
	for {
		for range rate {
			if s.moveStopped(t) {
				return
			}
			done, err := s.moveOne(t, src, dst)
			if err != nil {
				s.finishMove(t, "FAILED", err.Error())
				return
			}
			if done {
				s.finishMove(t, "COMPLETED", "")
				return
			}
		}
		select {
		case <-ticks:
		case <-t.cancel:
		case <-s.closing:
		}
	}
}

// moveStopped ends the task if it was cancelled or the service is closing.
func (s *Service) moveStopped(t *moveTask) bool {
	select {
	case <-t.cancel:
	case <-s.closing:
	default:
		return false
	}
	s.finishMove(t, "CANCELLED", "")
	return true
}

func (s *Service) finishMove(t *moveTask, status, reason string) {
	s.moves.mu.Lock()
	t.status, t.reason = status, reason
	s.moves.mu.Unlock()
}

// moveOne moves the earliest visible message of src in one synced batch
// (delete from src, store in the destination), so a crash leaves it in
// exactly one queue. done means there is nothing left to move. The moved
// message keeps its id, body, attributes and SentTimestamp, starts visible
// and never received, and loses DeadLetterQueueSourceArn (our decision: it
// is no longer in a dead-letter queue).
func (s *Service) moveOne(t *moveTask, src, dst *queue) (done bool, err error) {
	s.moves.mu.Lock()
	if t.moved >= t.toMove {
		s.moves.mu.Unlock()
		return true, nil
	}
	s.moves.mu.Unlock()
	now := s.clock.Now().UnixMilli()
	src.mu.Lock()
	if src.gone {
		src.mu.Unlock()
		return false, moveFailure("The source queue was deleted.")
	}
	m := src.idx.popVisible(now)
	if m == nil {
		src.mu.Unlock()
		return true, nil
	}
	src.idx.remove(m)
	src.mu.Unlock()

	var enc []byte
	var origin string
	found, err := s.store.View(src.id, m.seq, func(b []byte) error {
		rec, err := decodeRecord(b)
		if err != nil {
			return err
		}
		origin, rec.DLQSource = rec.DLQSource, ""
		enc = rec.encode(nil)
		return nil
	})
	if err != nil || !found {
		if err != nil {
			s.restore(src, []*msg{m})
		}
		return false, err
	}
	to := dst
	if to == nil {
		if to = s.queueByArnAny(origin); to == nil {
			s.restore(src, []*msg{m})
			return false, moveFailure("The original source queue " + origin + " of a message does not exist.")
		}
	}
	to.mu.Lock()
	if to.gone {
		to.mu.Unlock()
		s.restore(src, []*msg{m})
		return false, moveFailure("The destination queue " + to.arn() + " was deleted.")
	}
	var w Writes
	seq := s.seq.Add(1)
	w.Delete(src.id, m)
	w.PutMessage(to.id, seq, enc)
	wait, err := s.store.Apply(&w, synced)
	if err != nil {
		to.mu.Unlock()
		s.restore(src, []*msg{m})
		return false, err
	}
	to.idx.add(&msg{seq: seq, sent: m.sent, arrived: now, group: m.group, state: state{Visible: m.sent}})
	to.notify()
	to.mu.Unlock()
	if err := wait(); err != nil {
		return false, err
	}
	s.moves.mu.Lock()
	t.moved++
	s.moves.mu.Unlock()
	return false, nil
}

type moveFailure string

func (f moveFailure) Error() string { return string(f) }

// queueByArnAny finds a queue by ARN in any account and region, or nil.
func (s *Service) queueByArnAny(arn string) *queue {
	region, account, name, ok := parseQueueArn(arn)
	if !ok {
		return nil
	}
	q, _ := s.queueByName(queueKey{account: account, region: region, name: name})
	return q
}

// ListMessageMoveTasks lists the source's most recent tasks, newest first:
// MaxResults 1 to 10, default 1, as AWS documents.
func (s *Service) ListMessageMoveTasks(ctx context.Context, in *sqsapi.ListMessageMoveTasksRequest) (*sqsapi.ListMessageMoveTasksResult, error) {
	c := callOf(ctx)
	srcArn := shape.Value(in.SourceArn)
	if srcArn == "" {
		return nil, missingParameter("SourceArn")
	}
	limit := int32(1)
	if in.MaxResults != nil {
		limit = *in.MaxResults
		if limit < 1 || limit > maxListMoveTasks {
			return nil, invalidParameter("Value %d for parameter MaxResults is invalid. Reason: must be between 1 and 10.", limit)
		}
	}
	src, err := s.queueByArn(c, srcArn)
	if err != nil {
		return nil, err
	}
	out := &sqsapi.ListMessageMoveTasksResult{Results: []sqsapi.ListMessageMoveTasksResultEntry{}}
	s.moves.mu.Lock()
	defer s.moves.mu.Unlock()
	list := s.moves.bySource[src.arn()]
	for _, t := range slices.Backward(list) {
		if len(out.Results) == int(limit) {
			break
		}
		out.Results = append(out.Results, t.entry())
	}
	return out, nil
}

// entry is the task as ListMessageMoveTasks shows it; the caller holds
// moveTasks.mu. Only a RUNNING task has a handle and a count to move, as
// AWS answers.
func (t *moveTask) entry() sqsapi.ListMessageMoveTasksResultEntry {
	e := sqsapi.ListMessageMoveTasksResultEntry{Status: shape.Ptr(t.status), SourceArn: shape.Ptr(t.source),
		ApproximateNumberOfMessagesMoved: shape.Ptr(t.moved), StartedTimestamp: shape.Ptr(t.started)}
	if t.dest != "" {
		e.DestinationArn = shape.Ptr(t.dest)
	}
	if t.rate != 0 {
		e.MaxNumberOfMessagesPerSecond = shape.Ptr(t.rate)
	}
	if t.status == moveStatusRunning {
		e.TaskHandle = shape.Ptr(t.handle)
		e.ApproximateNumberOfMessagesToMove = shape.Ptr(t.toMove)
	}
	if t.reason != "" {
		e.FailureReason = shape.Ptr(t.reason)
	}
	return e
}

// CancelMessageMoveTask cancels a RUNNING task; messages already moved
// stay moved. The task is CANCELLING until its goroutine stops between two
// moves, then CANCELLED. Any other handle names no task that can be
// cancelled.
func (s *Service) CancelMessageMoveTask(ctx context.Context, in *sqsapi.CancelMessageMoveTaskRequest) (*sqsapi.CancelMessageMoveTaskResult, error) {
	h := shape.Value(in.TaskHandle)
	if h == "" {
		return nil, missingParameter("TaskHandle")
	}
	c := callOf(ctx)
	s.moves.mu.Lock()
	defer s.moves.mu.Unlock()
	for arn, list := range s.moves.bySource {
		region, account, _, _ := parseQueueArn(arn)
		if account != c.account || region != c.region {
			continue
		}
		for _, t := range list {
			if t.handle == h && t.status == moveStatusRunning {
				t.status = "CANCELLING"
				close(t.cancel)
				return &sqsapi.CancelMessageMoveTaskResult{ApproximateNumberOfMessagesMoved: shape.Ptr(t.moved)}, nil
			}
		}
	}
	return nil, &sqsapi.ResourceNotFoundException{Message: shape.Ptr("Task does not exist.")}
}
