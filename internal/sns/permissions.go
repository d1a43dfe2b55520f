package sns

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/vigilhq/vigil/internal/api/shape"
	snsapi "github.com/vigilhq/vigil/internal/api/sns"
	"github.com/vigilhq/vigil/internal/policydoc"
)

// AddPermission and RemovePermission edit the topic's Policy attribute (the
// default policy until one is set), one statement per label. Vigil stores
// and reports the policy; it does not enforce it (see doc.go).

// The policy quotas of the Amazon SNS Developer Guide ("Amazon SNS API
// permissions: Actions and resources reference"). Our decision: "30 kb" is
// 30 × 1,024 bytes.
const (
	maxTopicPolicyBytes      = 30 * 1024
	maxTopicPolicyStatements = 100
	maxPermissionPrincipals  = 200
)

// permissionActionNames are the valid Amazon SNS policy actions the same reference
// lists; AddPermission grants only these.
var permissionActionNames = []string{"AddPermission", "DeleteTopic", "GetDataProtectionPolicy", "GetTopicAttributes",
	"ListSubscriptionsByTopic", "ListTagsForResource", "Publish", "PutDataProtectionPolicy", "RemovePermission",
	"SetTopicAttributes", "Subscribe"}

// AddPermission adds a statement with Sid Label that allows AWSAccountId
// the ActionName actions on the topic.
func (s *Service) AddPermission(ctx context.Context, in *snsapi.AddPermissionInput) error {
	c := callOf(ctx)
	label := shape.Value(in.Label)
	if err := checkPermissionLabel(label); err != nil {
		return err
	}
	principals, err := permissionPrincipals(in.AWSAccountId)
	if err != nil {
		return err
	}
	actions, err := permissionActions(in.ActionName)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.topicByARN(c, shape.Value(in.TopicArn), "TopicArn")
	if err != nil {
		return err
	}
	doc, err := editableTopicPolicy(t, c)
	if err != nil {
		return err
	}
	if err := doc.Add(policydoc.Grant{Sid: label, Principals: principals, Actions: actions, Resource: t.arn}); err != nil {
		return invalidParameter("Label", "A statement with the label "+label+" already exists")
	}
	policy := doc.String()
	switch {
	case doc.Statements() > maxTopicPolicyStatements:
		return invalidParameter("Policy", fmt.Sprintf("The policy would have %d statements; a topic's policy may have at most %d", doc.Statements(), maxTopicPolicyStatements))
	case len(policy) > maxTopicPolicyBytes:
		return invalidParameter("Policy", fmt.Sprintf("The policy would be %d bytes long; a topic's policy may be at most %d bytes", len(policy), maxTopicPolicyBytes))
	}
	return s.saveTopicPolicy(ctx, t, policy)
}

// RemovePermission removes every statement whose Sid is Label.
func (s *Service) RemovePermission(ctx context.Context, in *snsapi.RemovePermissionInput) error {
	c := callOf(ctx)
	label := shape.Value(in.Label)
	if label == "" {
		return missingParameter("Label")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.topicByARN(c, shape.Value(in.TopicArn), "TopicArn")
	if err != nil {
		return err
	}
	doc, err := editableTopicPolicy(t, c)
	if err != nil {
		return err
	}
	// Our decision: a label no statement has is an error, as SQS answers,
	// so that a typo does not pass for a revoked permission.
	if doc.Remove(label) == 0 {
		return invalidParameter("Label", "No statement has the label "+label)
	}
	// A policy left without statements is kept as it is: removing its
	// attribute would bring the default policy, and its grants, back.
	return s.saveTopicPolicy(ctx, t, doc.String())
}

// editableTopicPolicy parses the topic's policy: the one set, or the default.
func editableTopicPolicy(t *topic, c call) (*policydoc.Doc, error) {
	policy, ok := t.attrs["Policy"]
	if !ok {
		policy = defaultPolicy(t.arn, c.account)
	}
	doc, err := policydoc.Parse(policy)
	if err != nil {
		// Our decision: a Policy set through SetTopicAttributes that is
		// JSON but has no statement list cannot take a labelled
		// statement; say so rather than overwrite it.
		return nil, invalidParameter("Policy", "The topic's policy cannot be edited by label: "+
			strings.TrimPrefix(err.Error(), "policydoc: ")+". Replace it with SetTopicAttributes")
	}
	return doc, nil
}

// saveTopicPolicy writes the topic with its new policy, then publishes it.
// Callers hold s.mu.
func (s *Service) saveTopicPolicy(ctx context.Context, t *topic, policy string) error {
	next := *t
	next.attrs = maps.Clone(t.attrs)
	if next.attrs == nil {
		next.attrs = map[string]string{}
	}
	next.attrs["Policy"] = policy
	if err := s.saveTopic(ctx, &next); err != nil {
		return err
	}
	*t = next
	return nil
}

// checkPermissionLabel: our decision, SNS documents no rule for its labels, so the
// one SQS documents applies (up to 80 alphanumeric characters, hyphens and
// underscores); AWS's own example label, Publish-Permission, passes.
func checkPermissionLabel(label string) error {
	if label == "" {
		return missingParameter("Label")
	}
	if !policydoc.ValidLabel(label) {
		return invalidParameter("Label", "A label is 1 to 80 characters: alphanumeric characters, hyphens (-) and underscores (_)")
	}
	return nil
}

// permissionPrincipals checks the account IDs (12 digits each, at most 200)
// and returns their root principals, duplicates dropped.
func permissionPrincipals(ids []string) ([]string, error) {
	if len(ids) == 0 {
		return nil, missingParameter("AWSAccountId")
	}
	var out []string
	for _, id := range ids {
		if !policydoc.ValidAccount(id) {
			return nil, invalidParameter("AWSAccountId", "An AWS account ID is 12 digits, not "+id)
		}
		if p := policydoc.AccountPrincipal(id); !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	if len(out) > maxPermissionPrincipals {
		return nil, invalidParameter("AWSAccountId", fmt.Sprintf("A statement may name at most %d principals", maxPermissionPrincipals))
	}
	return out, nil
}

// permissionActions checks the action names and qualifies them ("SNS:<name>",
// as SNS writes them). Our decision: names match case-insensitively, as IAM
// action names do, and are written in their documented case; "*" is not an
// action name and is refused; a name given twice is written once.
func permissionActions(names []string) ([]string, error) {
	if len(names) == 0 {
		return nil, missingParameter("ActionName")
	}
	var out []string
	for _, name := range names {
		i := slices.IndexFunc(permissionActionNames, func(a string) bool { return strings.EqualFold(a, name) })
		if i < 0 {
			return nil, invalidParameter("ActionName", "Policy statement action out of service scope!")
		}
		if a := "SNS:" + permissionActionNames[i]; !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	return out, nil
}
