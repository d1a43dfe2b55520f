package alarmrule

import (
	"strings"
)

// Ref is one alarm referenced by a rule.
//
// Refs compare equal (==) when they are written the same way after quotes
// and escapes are removed. A name and the ARN of the same alarm are
// different Refs; Name is what they have in common.
type Ref struct {
	// Text is the reference as written, without its quotes and with escapes
	// resolved: an alarm name or an alarm ARN.
	Text string
	// Name is the alarm name: Text itself, or the resource part of the ARN.
	Name string
	// Partition, Region and Account are set only when Text is an ARN.
	Partition, Region, Account string
}

// IsARN reports whether the reference was written as an ARN.
func (r Ref) IsARN() bool { return r.Partition != "" }

// In reports whether the reference can denote an alarm of the given
// partition, Region and account: a plain name always can (it is resolved in
// the composite's own account and Region), an ARN only when all three match.
func (r Ref) In(partition, region, account string) bool {
	return !r.IsARN() || (r.Partition == partition && r.Region == region && r.Account == account)
}

// String returns the reference as written (Text).
func (r Ref) String() string { return r.Text }

const (
	maxNameLen = 255  // AlarmName
	maxARNLen  = 1600 // AlarmArn
)

// newRef validates text (already unquoted) as an alarm name or ARN. The
// returned message is the inside of an "Error in AlarmRule [...]" message,
// with {at} where the position goes (see errAt).
func newRef(text string) (Ref, string) {
	if text == "" {
		return Ref{}, "Empty alarm name"
	}
	if !strings.HasPrefix(text, "arn:") {
		if runeLen(text) > maxNameLen {
			return Ref{}, "Alarm name {at} is longer than 255 characters"
		}
		return Ref{Text: text, Name: text}, ""
	}
	if runeLen(text) > maxARNLen {
		return Ref{}, "Alarm ARN {at} is longer than 1600 characters"
	}
	// arn:partition:cloudwatch:region:account:alarm:name — the name may
	// itself contain colons, so split into at most 7 parts.
	parts := strings.SplitN(text, ":", 7)
	if len(parts) != 7 || parts[1] == "" || parts[2] != "cloudwatch" || parts[3] == "" ||
		!isAccountID(parts[4]) || parts[5] != "alarm" || parts[6] == "" {
		return Ref{}, "Invalid alarm ARN '" + truncate(text) + "' {at}: must be arn:partition:cloudwatch:region:account-id:alarm:alarm-name"
	}
	if runeLen(parts[6]) > maxNameLen {
		return Ref{}, "Alarm name {at} is longer than 255 characters"
	}
	return Ref{Text: text, Name: parts[6], Partition: parts[1], Region: parts[3], Account: parts[4]}, ""
}

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func runeLen(s string) int {
	n := 0
	for range s {
		n++
	}
	return n
}
