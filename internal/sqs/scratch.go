package sqs

import "sync"

// sendScratch is the working memory of one write of new messages
// (DeliverAll, enqueueAll), reused from call to call: an SNS fan-out of a
// ten-message PublishBatch to ten queues needs a hundred of each, and their
// garbage was a third of what the fan-out allocated.
type sendScratch struct {
	all     []prepared
	kOf     []int
	batches []batch
	counts  []int
	ps      []*prepared
	bs      []*batch
	ops     []writeOp
	live    []*batch
	seqs    []uint64
	records []byte // the encoded records (encodeRecords)
}

var sendScratches = sync.Pool{New: func() any { return new(sendScratch) }}

// maxPooledMessages bounds the scratch kept for the next call: a rare huge
// write should not pin its memory.
const maxPooledMessages = 1024

func getSendScratch() *sendScratch { return sendScratches.Get().(*sendScratch) }

// release returns sc to the pool, dropping what it references (message
// bodies, queues) so that the pool keeps no garbage alive.
func (sc *sendScratch) release() {
	if cap(sc.all) > maxPooledMessages || cap(sc.ops) > 2*maxPooledMessages {
		return
	}
	clear(sc.all[:cap(sc.all)])
	clear(sc.batches[:cap(sc.batches)])
	clear(sc.ps[:cap(sc.ps)])
	clear(sc.bs[:cap(sc.bs)])
	clear(sc.ops[:cap(sc.ops)])
	clear(sc.live[:cap(sc.live)])
	sendScratches.Put(sc)
}

// sized returns s with length n, reusing its array when large enough; the
// contents are not cleared.
func sized[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}
