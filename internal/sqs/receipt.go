package sqs

import (
	"encoding/base64"
	"encoding/binary"
	"hash/crc32"

	"github.com/vigilhq/vigil/internal/api/shape"
	sqsapi "github.com/vigilhq/vigil/internal/api/sqs"
)

// receipt is what a receipt handle names: one receive of one message. The
// queue id makes a handle of another queue (or of a deleted queue's
// namesake) invalid; count tells this receive from later ones.
type receipt struct {
	queue int64
	seq   uint64
	count int32
}

const receiptLen = 8 + 8 + 4 + 4 // queue, seq, count, checksum

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// String encodes the receipt as an opaque handle: URL-safe base64 of its
// fields and a CRC32C, so that a mistyped or made-up handle is refused as
// invalid rather than taken for another message.
func (r receipt) String() string {
	var b [receiptLen]byte
	binary.BigEndian.PutUint64(b[0:], uint64(r.queue))
	binary.BigEndian.PutUint64(b[8:], r.seq)
	binary.BigEndian.PutUint32(b[16:], uint32(r.count))
	binary.BigEndian.PutUint32(b[20:], crc32.Checksum(b[:20], castagnoli))
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func parseReceipt(h string) (receipt, bool) {
	var b [receiptLen]byte
	if base64.RawURLEncoding.DecodedLen(len(h)) != receiptLen {
		return receipt{}, false
	}
	if _, err := base64.RawURLEncoding.Decode(b[:], []byte(h)); err != nil {
		return receipt{}, false
	}
	if binary.BigEndian.Uint32(b[20:]) != crc32.Checksum(b[:20], castagnoli) {
		return receipt{}, false
	}
	r := receipt{queue: int64(binary.BigEndian.Uint64(b[0:])), seq: binary.BigEndian.Uint64(b[8:]), count: int32(binary.BigEndian.Uint32(b[16:]))}
	return r, r.count > 0
}

// receiptFor parses a handle given for queue q.
func receiptFor(q *queue, h string) (receipt, error) {
	r, ok := parseReceipt(h)
	if !ok || r.queue != q.id {
		return receipt{}, &sqsapi.ReceiptHandleIsInvalid{Message: shape.Ptr(`The input receipt handle "` + h + `" is not a valid receipt handle.`)}
	}
	return r, nil
}
