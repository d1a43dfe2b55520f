package logs

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"strings"

	logsapi "github.com/vigilhq/vigil/internal/api/logs"
	"github.com/vigilhq/vigil/internal/api/shape"
)

// An account may have at most 10 account-scoped resource policies per
// region (CloudWatch Logs quotas).
const maxAccountPolicies = 10

// Resource policies are stored and returned as given; Vigil does not
// evaluate IAM policies, so they grant and deny nothing here.
func (s *Service) PutResourcePolicy(ctx context.Context, in *logsapi.PutResourcePolicyRequest) (*logsapi.PutResourcePolicyResponse, error) {
	p := partitionOf(ctx)
	d := policyDoc{
		Name:        shape.Value(in.PolicyName),
		Document:    shape.Value(in.PolicyDocument),
		Updated:     nowMillis(ctx),
		Scope:       logsapi.PolicyScopeAccount,
		ResourceArn: shape.Value(in.ResourceArn),
	}
	if d.ResourceArn != "" {
		d.Scope = logsapi.PolicyScopeResource
		if _, err := groupFromIdentifier(p, d.ResourceArn); err != nil || !strings.HasPrefix(d.ResourceArn, "arn:") {
			return nil, invalidParameter("Invalid resourceArn: %s", d.ResourceArn)
		}
	} else if d.Name == "" {
		return nil, invalidParameter("Either policyName or resourceArn must be specified.")
	}
	if d.Document == "" {
		return nil, invalidParameter("policyDocument is required.")
	}
	if !json.Valid([]byte(d.Document)) {
		return nil, invalidParameter("Invalid policy document: the document is not valid JSON.")
	}
	key := policyKey(d.Scope, d.Name, d.ResourceArn)
	s.cat.mu.Lock()
	defer s.cat.mu.Unlock()
	pm := s.cat.policyMap(p)
	old := pm[key]
	if in.ExpectedRevisionId != nil && (old == nil || old.Revision != *in.ExpectedRevisionId) {
		return nil, &logsapi.OperationAbortedException{Message: shape.Ptr("The expected revision id does not match the policy's current revision id.")}
	}
	if d.Scope == logsapi.PolicyScopeResource {
		name, _ := groupFromIdentifier(p, d.ResourceArn)
		if s.cat.groups[p][name] == nil {
			return nil, errGroupNotFound()
		}
	} else if old == nil && countScope(pm, logsapi.PolicyScopeAccount) >= maxAccountPolicies {
		return nil, limitExceeded("Resource limit exceeded.")
	}
	d.Revision = "1"
	if old != nil {
		n, _ := strconv.Atoi(old.Revision)
		d.Revision = strconv.Itoa(n + 1)
	}
	if err := s.cat.put(ctx, p, kindPolicy, "", key, d); err != nil {
		return nil, err
	}
	pm[key] = &d
	out := policyOut(&d)
	return &logsapi.PutResourcePolicyResponse{ResourcePolicy: &out, RevisionId: shape.Ptr(d.Revision)}, nil
}

func countScope(pm map[string]*policyDoc, scope string) int {
	n := 0
	for _, d := range pm {
		if d.Scope == scope {
			n++
		}
	}
	return n
}

func policyOut(d *policyDoc) logsapi.ResourcePolicy {
	rp := logsapi.ResourcePolicy{
		PolicyDocument:  shape.Ptr(d.Document),
		LastUpdatedTime: shape.Ptr(d.Updated),
		PolicyScope:     shape.Ptr(d.Scope),
		RevisionId:      shape.Ptr(d.Revision),
	}
	if d.Name != "" {
		rp.PolicyName = shape.Ptr(d.Name)
	}
	if d.ResourceArn != "" {
		rp.ResourceArn = shape.Ptr(d.ResourceArn)
	}
	return rp
}

func (s *Service) DeleteResourcePolicy(ctx context.Context, in *logsapi.DeleteResourcePolicyRequest) error {
	p := partitionOf(ctx)
	scope := logsapi.PolicyScopeAccount
	if in.ResourceArn != nil {
		scope = logsapi.PolicyScopeResource
	}
	key := policyKey(scope, shape.Value(in.PolicyName), shape.Value(in.ResourceArn))
	s.cat.mu.Lock()
	defer s.cat.mu.Unlock()
	old := s.cat.policies[p][key]
	if old == nil {
		return notFound("Policy with name [" + shape.Value(in.PolicyName) + "] does not exist")
	}
	if in.ExpectedRevisionId != nil && old.Revision != *in.ExpectedRevisionId {
		return &logsapi.OperationAbortedException{Message: shape.Ptr("The expected revision id does not match the policy's current revision id.")}
	}
	if err := s.cat.delete(ctx, p, kindPolicy, "", key); err != nil {
		return err
	}
	delete(s.cat.policies[p], key)
	return nil
}

func (s *Service) DescribeResourcePolicies(ctx context.Context, in *logsapi.DescribeResourcePoliciesRequest) (*logsapi.DescribeResourcePoliciesResponse, error) {
	p := partitionOf(ctx)
	after, err := decodeNameToken(in.NextToken)
	if err != nil {
		return nil, err
	}
	limit := limitOf(in.Limit, 50)
	s.cat.mu.RLock()
	defer s.cat.mu.RUnlock()
	var keys []string
	for k, d := range s.cat.policies[p] {
		switch {
		case after != "" && k <= after,
			in.PolicyScope != nil && d.Scope != *in.PolicyScope,
			in.ResourceArn != nil && d.ResourceArn != *in.ResourceArn:
			continue
		}
		keys = append(keys, k)
	}
	slices.Sort(keys)
	out := &logsapi.DescribeResourcePoliciesResponse{ResourcePolicies: []logsapi.ResourcePolicy{}}
	for i, k := range keys {
		if i == limit {
			out.NextToken = encodeNameToken(keys[i-1])
			break
		}
		out.ResourcePolicies = append(out.ResourcePolicies, policyOut(s.cat.policies[p][k]))
	}
	return out, nil
}
