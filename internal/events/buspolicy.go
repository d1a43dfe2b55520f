package events

import (
	"encoding/json"
	"strings"
)

// admitsAccount reports whether bus b of another account (nil: none by that
// name) lets account, acting as principal (an IAM ARN; "" for the account
// itself), put an event of source and detail-type on it. The
// sender is told only yes or no, a missing bus being a no: why the policy
// refused (which may quote it) goes to the log, for the bus's owner.
// Callers hold s.mu for reading.
func (s *Service) admitsAccount(b *bus, account, principal, source, detailType string) bool {
	if b == nil {
		return false
	}
	v := evaluateBusPolicy(b.doc.Policy, busPolicyRequest{account: account, principal: principal, busARN: b.arn, source: source, detailType: detailType})
	if !v.allowed {
		s.log.Info("events: event from another account refused by the bus policy", "bus", b.arn, "sender", account, "reason", v.reason)
	}
	return v.allowed
}

// busPolicyRequest is what an event bus policy is asked about: may account
// put this event on the bus?
type busPolicyRequest struct {
	account    string // the sending account
	principal  string // the IAM ARN it acts as, if any
	busARN     string
	source     string // the event's source and detail-type, for
	detailType string // events:source and events:detail-type conditions
}

// busPolicyVerdict is the outcome of evaluating a bus policy: whether the
// request is allowed and, when not, why (for the log: the sender is not
// told).
type busPolicyVerdict struct {
	allowed bool
	reason  string
}

// evaluateBusPolicy decides whether the bus's resource policy lets
// req.account put events on it, as IAM evaluates a resource policy: an
// explicit Deny that applies wins, then an Allow that applies; nothing
// applying is an implicit deny. An empty or malformed policy allows
// nothing.
//
// Vigil evaluates Effect, Principal (the account's id or root ARN, which
// grant to every principal of the account; the request's own principal
// ARN; or "*"), Action and Resource (with IAM's * and ? wildcards),
// and Condition with the String operators (StringEquals, StringNotEquals,
// StringLike, StringNotLike, each also …IgnoreCase) on the keys
// aws:PrincipalAccount, aws:PrincipalOrgID (Vigil has no organizations, so
// the key is always absent), events:source and events:detail-type. A
// statement using anything else (NotPrincipal, NotAction, NotResource,
// another operator or key) cannot be evaluated: as an Allow it grants
// nothing, as a Deny it applies, so Vigil never lets in what the policy
// might refuse. The verdict's reason says so.
func evaluateBusPolicy(policy string, req busPolicyRequest) busPolicyVerdict {
	if policy == "" {
		return busPolicyVerdict{reason: "the event bus has no policy granting access to account " + req.account + "."}
	}
	var d struct {
		Statement json.RawMessage `json:"Statement"`
	}
	if err := json.Unmarshal([]byte(policy), &d); err != nil {
		return busPolicyVerdict{reason: "the event bus policy is not a valid policy document."}
	}
	var stmts []json.RawMessage
	if err := json.Unmarshal(d.Statement, &stmts); err != nil {
		stmts = []json.RawMessage{d.Statement} // one statement, not a list
	}
	allowed := false
	unevaluated := ""
	for _, raw := range stmts {
		var st map[string]json.RawMessage
		if json.Unmarshal(raw, &st) != nil {
			continue
		}
		var effect string
		_ = json.Unmarshal(st["Effect"], &effect)
		applies, why := statementApplies(st, req)
		if why != "" && unevaluated == "" {
			unevaluated = why
		}
		switch {
		case effect == "Deny" && (applies || why != ""):
			if why != "" {
				return busPolicyVerdict{reason: "a Deny statement of the event bus policy may apply and Vigil cannot evaluate it: " + why}
			}
			return busPolicyVerdict{reason: "the event bus policy denies account " + req.account + "."}
		case effect == "Allow" && applies:
			allowed = true
		}
	}
	if allowed {
		return busPolicyVerdict{allowed: true}
	}
	if unevaluated != "" {
		return busPolicyVerdict{reason: "no statement of the event bus policy that Vigil can evaluate allows account " + req.account + " (" + unevaluated + ")."}
	}
	return busPolicyVerdict{reason: "the event bus policy does not allow account " + req.account + "."}
}

// statementApplies reports whether a statement applies to req; why is
// non-empty when the statement uses something Vigil does not evaluate
// (applies is then false).
func statementApplies(st map[string]json.RawMessage, req busPolicyRequest) (applies bool, why string) {
	for _, k := range []string{"NotPrincipal", "NotAction", "NotResource"} {
		if _, ok := st[k]; ok {
			return false, "Vigil does not evaluate " + k
		}
	}
	if !principalMatches(st["Principal"], req) {
		return false, ""
	}
	if !anyGlob(st["Action"], "events:PutEvents", true) {
		return false, ""
	}
	if r, ok := st["Resource"]; ok && !anyGlob(r, req.busARN, false) {
		return false, ""
	}
	if c, ok := st["Condition"]; ok {
		return conditionHolds(c, req)
	}
	return true, ""
}

// principalMatches: "*", {"AWS": "*"}, the account (its id or root ARN:
// every principal of the account), or the request's principal itself (a
// role or user ARN grants that principal only).
func principalMatches(raw json.RawMessage, req busPolicyRequest) bool {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s == "*"
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil {
		return false
	}
	for _, v := range stringList(m["AWS"]) {
		if v == "*" || v == req.account || req.principal != "" && v == req.principal {
			return true
		}
		f := strings.SplitN(v, ":", 6)
		if len(f) == 6 && f[0] == "arn" && f[2] == "iam" && f[4] == req.account && f[5] == "root" {
			return true
		}
	}
	return false
}

// anyGlob reports whether one of the patterns (a string or a list) matches
// s with IAM's wildcards; actions compare without regard to case.
func anyGlob(raw json.RawMessage, s string, fold bool) bool {
	for _, p := range stringList(raw) {
		if globMatch(p, s, fold) {
			return true
		}
	}
	return false
}

// globMatch is IAM's matching: * any run of characters, ? one character,
// everything else literal.
func globMatch(pattern, s string, fold bool) bool {
	if fold {
		pattern, s = strings.ToLower(pattern), strings.ToLower(s)
	}
	p, r := []rune(pattern), []rune(s)
	pi, ri := 0, 0
	star, resume := -1, 0 // the last * seen, and where its run ends so far
	for ri < len(r) {
		switch {
		case pi < len(p) && p[pi] == '*':
			star, resume = pi, ri
			pi++
		case pi < len(p) && (p[pi] == '?' || p[pi] == r[ri]):
			pi++
			ri++
		case star >= 0:
			// Let the last * take one more character and retry.
			resume++
			pi, ri = star+1, resume
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

// conditionHolds evaluates a Condition block: every operator's every key
// must hold.
func conditionHolds(raw json.RawMessage, req busPolicyRequest) (bool, string) {
	var ops map[string]map[string]json.RawMessage
	if json.Unmarshal(raw, &ops) != nil {
		return false, "Vigil cannot read the statement's Condition"
	}
	for op, keys := range ops {
		base, fold := strings.CutSuffix(op, "IgnoreCase")
		negated := strings.HasPrefix(base, "StringNot")
		like := strings.HasSuffix(base, "Like")
		switch base {
		case "StringEquals", "StringNotEquals", "StringLike", "StringNotLike":
		default:
			return false, "Vigil does not evaluate the condition operator " + op
		}
		for key, vals := range keys {
			v, present, known := conditionKey(key, req)
			if !known {
				return false, "Vigil does not evaluate the condition key " + key
			}
			match := false
			if present {
				for _, want := range stringList(vals) {
					if like && globMatch(want, v, fold) || !like && (v == want || fold && strings.EqualFold(v, want)) {
						match = true
						break
					}
				}
			}
			// IAM: a key absent from the request matches no value, so
			// a negated operator holds for it.
			if match == negated {
				return false, ""
			}
		}
	}
	return true, ""
}

// conditionKey is the request's value of a condition key; known is false
// for a key Vigil does not evaluate.
func conditionKey(key string, req busPolicyRequest) (v string, present, known bool) {
	switch strings.ToLower(key) {
	case "aws:principalaccount":
		return req.account, true, true
	case "aws:principalorgid":
		return "", false, true
	case "events:source":
		return req.source, true, true
	case "events:detail-type":
		return req.detailType, true, true
	}
	return "", false, false
}

// stringList reads a JSON string or list of strings; anything else is no
// strings.
func stringList(raw json.RawMessage) []string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return []string{s}
	}
	var l []string
	if json.Unmarshal(raw, &l) == nil {
		return l
	}
	return nil
}
