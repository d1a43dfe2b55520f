// Package eventstream is the application/vnd.amazon.eventstream binary
// framing: the message format AWS services use for streaming responses, and
// the one CloudWatch Logs StartLiveTail answers with. Vigil is the server, so
// Writer is the main entry point; Reader and Decode are there for tests and
// clients.
//
// # Wire format
//
// A stream is a plain concatenation of messages. All integers are
// big-endian; both checksums are CRC-32 (IEEE, the one gzip uses).
//
//	message   total length       uint32   whole message, these 4 bytes included
//	          headers length     uint32   the headers section alone
//	          prelude CRC        uint32   of the 8 bytes above
//	          headers            headers length bytes
//	          payload            total − headers length − 16 bytes
//	          message CRC        uint32   of every byte before it
//
//	header    name length        uint8
//	          name               UTF-8
//	          value type         uint8
//	          value              as below
//
//	type  0  bool true       no value bytes
//	      1  bool false      no value bytes
//	      2  byte            int8
//	      3  short           int16
//	      4  integer         int32
//	      5  long            int64
//	      6  byte array      uint16 length, bytes
//	      7  string          uint16 length, UTF-8 bytes
//	      8  timestamp       int64 milliseconds since the Unix epoch
//	      9  uuid            16 bytes
//
// Limits: a header name is at most 255 bytes, a string or byte-array value
// at most 32767, the headers section at most 128 KiB and a message at most
// 16 MiB. The encoder refuses to exceed them and the decoder refuses messages
// that do, so whatever decodes encodes again to the same bytes.
//
// # Message types
//
// The AWS protocols put a message's meaning in string headers. Writer.Event,
// Writer.Exception and Writer.Error write the three kinds a server sends:
//
//	:message-type "event"      :event-type      member name of the event in the stream's union
//	                           :content-type    "application/json"
//	:message-type "exception"  :exception-type  member name of the modeled error
//	                           :content-type    "application/json"
//	:message-type "error"      :error-code, :error-message; no payload
//
// # Scope
//
// This package owns only the framing. It does not serialise event payloads
// (the JSON codec does), set HTTP status or headers, sign or verify messages
// (:chunk-signature on input streams), or decide when a stream ends.
package eventstream
