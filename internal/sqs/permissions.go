package sqs

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/vigilhq/vigil/internal/api/shape"
	sqsapi "github.com/vigilhq/vigil/internal/api/sqs"
	"github.com/vigilhq/vigil/internal/policydoc"
)

// AddPermission and RemovePermission edit the queue's Policy attribute, one
// statement per label, as AWS documents ("AddPermission generates a policy
// for you"). Vigil stores and reports the policy; it does not enforce it
// (see doc.go).

// The policy quotas of the Amazon SQS Developer Guide ("Amazon SQS policy
// quotas"), checked on the policy AddPermission would write.
const (
	maxQueuePolicyBytes      = 8192
	maxQueuePolicyStatements = 20
	maxQueuePolicyPrincipals = 50
	maxPermissionActions     = 7
)

// grantableActions are the actions AddPermission may grant: those the
// developer guide's "Limitations of Amazon SQS custom policies" does not
// exclude from cross-account permissions, and "*". Granting SendMessage,
// DeleteMessage or ChangeMessageVisibility grants their batch forms too, so
// the batch names are not actions of their own.
var grantableActions = []string{"*", "ChangeMessageVisibility", "DeleteMessage", "GetQueueAttributes", "GetQueueUrl",
	"ListDeadLetterSourceQueues", "PurgeQueue", "ReceiveMessage", "SendMessage"}

// ownerOnlyActions are the actions cross-account permissions do not apply to:
// only the queue's owner may call them, so they cannot be granted.
var ownerOnlyActions = []string{"AddPermission", "CancelMessageMoveTask", "CreateQueue", "DeleteQueue", "ListMessageMoveTasks",
	"ListQueues", "ListQueueTags", "RemovePermission", "SetQueueAttributes", "StartMessageMoveTask", "TagQueue", "UntagQueue"}

// queuePolicyVersion and queuePolicyID are what SQS writes in a policy
// that AddPermission starts.
const queuePolicyVersion = "2012-10-17"

func queuePolicyID(q *queue) string { return q.arn() + "/SQSDefaultPolicy" }

// AddPermission adds a statement with Sid Label that allows AWSAccountIds
// the Actions on the queue.
func (s *Service) AddPermission(ctx context.Context, in *sqsapi.AddPermissionRequest) error {
	c := callOf(ctx)
	q, err := s.queueByURL(c, shape.Value(in.QueueUrl))
	if err != nil {
		return err
	}
	label := shape.Value(in.Label)
	if err := checkPermissionLabel(label); err != nil {
		return err
	}
	principals, err := permissionPrincipals(in.AWSAccountIds)
	if err != nil {
		return err
	}
	actions, err := permissionActions(in.Actions)
	if err != nil {
		return err
	}

	q.metaMu.Lock()
	defer q.metaMu.Unlock()
	st := *q.settings.Load()
	doc, err := editableQueuePolicy(q, st.Policy)
	if err != nil {
		return err
	}
	if err := doc.Add(policydoc.Grant{Sid: label, Principals: principals, Actions: actions, Resource: q.arn()}); err != nil {
		return invalidParameter("Value %s for parameter Label is invalid. Reason: Already exists.", label)
	}
	policy := doc.String()
	switch {
	case doc.Statements() > maxQueuePolicyStatements:
		return overLimit("The policy would have %d statements; a queue's policy may have at most %d.", doc.Statements(), maxQueuePolicyStatements)
	case doc.Principals() > maxQueuePolicyPrincipals:
		return overLimit("The policy would name %d principals; a queue's policy may name at most %d.", doc.Principals(), maxQueuePolicyPrincipals)
	case len(policy) > maxQueuePolicyBytes:
		return overLimit("The policy would be %d bytes long; a queue's policy may be at most %d bytes.", len(policy), maxQueuePolicyBytes)
	}
	st.Policy = policy
	return s.saveQueuePolicy(ctx, c, q, &st)
}

// RemovePermission removes every statement whose Sid is Label.
func (s *Service) RemovePermission(ctx context.Context, in *sqsapi.RemovePermissionRequest) error {
	c := callOf(ctx)
	q, err := s.queueByURL(c, shape.Value(in.QueueUrl))
	if err != nil {
		return err
	}
	label := shape.Value(in.Label)
	if label == "" {
		return missingParameter("Label")
	}
	q.metaMu.Lock()
	defer q.metaMu.Unlock()
	st := *q.settings.Load()
	notFound := invalidParameter("Value %s for parameter Label is invalid. Reason: can't find label on existing policy.", label)
	if st.Policy == "" {
		return notFound
	}
	doc, err := editableQueuePolicy(q, st.Policy)
	if err != nil {
		return err
	}
	if doc.Remove(label) == 0 {
		return notFound
	}
	// Our decision: a policy left without statements grants nothing, and
	// the queue goes back to having no Policy attribute, as before its
	// first AddPermission.
	st.Policy = doc.String()
	if doc.Statements() == 0 {
		st.Policy = ""
	}
	return s.saveQueuePolicy(ctx, c, q, &st)
}

// saveQueuePolicy writes the changed settings, then publishes them. Callers hold
// q.metaMu. A permission change is a change of the queue's attributes, so
// LastModifiedTimestamp moves.
func (s *Service) saveQueuePolicy(ctx context.Context, c call, q *queue, st *settings) error {
	st.Modified = c.now.Unix()
	if err := s.updateQueue(ctx, q, st, *q.tags.Load()); err != nil {
		return err
	}
	q.settings.Store(st)
	return nil
}

// editableQueuePolicy parses the queue's policy, or starts the one SQS writes
// when there is none.
func editableQueuePolicy(q *queue, policy string) (*policydoc.Doc, error) {
	if policy == "" {
		return policydoc.New(queuePolicyVersion, queuePolicyID(q)), nil
	}
	doc, err := policydoc.Parse(policy)
	if err != nil {
		// Our decision: a Policy set through SetQueueAttributes that is
		// JSON but has no statement list cannot take a labelled statement;
		// say so rather than overwrite it.
		return nil, invalidParameter("The queue's Policy attribute cannot be edited by label: %s. Replace it with SetQueueAttributes.",
			strings.TrimPrefix(err.Error(), "policydoc: "))
	}
	return doc, nil
}

func checkPermissionLabel(label string) error {
	if label == "" {
		return missingParameter("Label")
	}
	if !policydoc.ValidLabel(label) {
		return invalidParameter("Value %s for parameter Label is invalid. Reason: A label is at most 80 characters: alphanumeric characters, hyphens (-) and underscores (_).", label)
	}
	return nil
}

// permissionPrincipals checks the account IDs (12 digits each) and returns
// their root principals, duplicates dropped.
func permissionPrincipals(ids []string) ([]string, error) {
	if len(ids) == 0 {
		return nil, missingParameter("AWSAccountIds")
	}
	var out []string
	for _, id := range ids {
		// AddPermission "does not support adding a non-account principal".
		if !policydoc.ValidAccount(id) {
			return nil, invalidParameter("Value %s for parameter AWSAccountIds is invalid. Reason: An AWS account ID is 12 digits.", id)
		}
		if p := policydoc.AccountPrincipal(id); !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out, nil
}

// permissionActions checks the action names and qualifies them ("SQS:<name>",
// as SQS writes them). Our decision: names match case-insensitively, as IAM
// action names do, and are written in their documented case; a name given
// twice is written once.
func permissionActions(names []string) ([]string, error) {
	if len(names) == 0 {
		return nil, missingParameter("Actions")
	}
	if len(names) > maxPermissionActions {
		return nil, overLimit("%d actions were given; a statement may allow at most %d.", len(names), maxPermissionActions)
	}
	var out []string
	for _, name := range names {
		i := slices.IndexFunc(grantableActions, func(a string) bool { return strings.EqualFold(a, name) })
		if i < 0 {
			if slices.ContainsFunc(ownerOnlyActions, func(a string) bool { return strings.EqualFold(a, name) }) {
				return nil, invalidParameter("Value SQS:%s for parameter ActionName is invalid. Reason: Only the queue owner is allowed to invoke this action.", name)
			}
			return nil, invalidParameter("Value SQS:%s for parameter ActionName is invalid. Reason: Please refer to the appropriate WSDL for a list of valid actions.", name)
		}
		if a := "SQS:" + grantableActions[i]; !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	return out, nil
}

func overLimit(format string, args ...any) error {
	return &sqsapi.OverLimit{Message: shape.Ptr(fmt.Sprintf(format, args...))}
}
