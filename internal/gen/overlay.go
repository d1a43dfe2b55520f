package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
)

// queryOverlay names a query-protocol model whose awsQuery traits are merged
// into a botocore model that has lost them. botocore's SQS model is JSON
// only (SQS moved to awsJson1_0 with query compatibility in November 2023),
// yet old clients still speak awsQuery to SQS and need the query traits:
// member names such as Attribute.N.Name, flattened lists and maps with their
// entry names, the <Op>Result wrappers, the XML namespace and the awsQuery
// error codes.
//
// The overlay is read from the Go module cache (the generator runs
// `go mod download -json Module@Version` to find it) or from a directory
// given with -querymodels. Nothing of it is committed except what ends up in
// the generated tables.
type queryOverlay struct {
	Module  string // Go module holding the model
	Version string // pinned module version
	Path    string // the model file inside the module

	// Renames maps a botocore shape name to the overlay's name for the same
	// shape, for shapes botocore renamed since the overlay was published.
	Renames map[string]string
}

// sqsQuery is the SQS overlay: aws-sdk-go v1.47.5 is the last aws-sdk-go
// release whose SQS model and client speak awsQuery (v1.47.6 switched both
// to JSON 1.0, so v1.55.8's model has no query traits either).
//
// Renames: botocore calls the optional integers of ReceiveMessage,
// SendMessage, ChangeMessageVisibility, the move tasks, ...
// "NullableInteger" where the query model says "Integer", and
// ListMessageMoveTasksResultEntry.ApproximateNumberOfMessagesToMove
// "NullableLong" where it says "Long". They are scalars with no query
// traits; the map records that they are the same shapes. Member names agree
// between the two models.
var sqsQuery = &queryOverlay{
	Module:  "github.com/aws/aws-sdk-go",
	Version: "v1.47.5",
	Path:    "models/apis/sqs/2012-11-05/api-2.json",
	Renames: map[string]string{"NullableInteger": "Integer", "NullableLong": "Long"},
}

// overlayInput is a read overlay model.
type overlayInput struct {
	ov     *queryOverlay
	source string // module@version/path, for doc.go
	data   []byte
}

// readOverlay reads ov's model from dir (the module's root directory), or
// from the module cache when dir is empty.
func readOverlay(ov *queryOverlay, dir string) (*overlayInput, error) {
	if dir == "" {
		var err error
		if dir, err = downloadModule(ov.Module, ov.Version); err != nil {
			return nil, err
		}
	}
	data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(ov.Path)))
	if err != nil {
		return nil, fmt.Errorf("query overlay: %w", err)
	}
	return &overlayInput{ov: ov, source: ov.Module + "@" + ov.Version + "/" + ov.Path, data: data}, nil
}

// downloadModule returns the module cache directory of mod@version,
// downloading it through the Go module proxy when needed.
func downloadModule(mod, version string) (string, error) {
	cmd := exec.Command("go", "mod", "download", "-json", mod+"@"+version)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	var info struct{ Dir, Error string }
	if jerr := json.Unmarshal(out, &info); jerr == nil && info.Error != "" {
		return "", fmt.Errorf("query overlay: go mod download %s@%s: %s (or pass -querymodels DIR)", mod, version, info.Error)
	}
	if err != nil {
		return "", fmt.Errorf("query overlay: go mod download %s@%s: %v: %s (or pass -querymodels DIR)", mod, version, err, strings.TrimSpace(stderr.String()))
	}
	if info.Dir == "" {
		return "", fmt.Errorf("query overlay: go mod download %s@%s gave no directory", mod, version)
	}
	return info.Dir, nil
}

// mergeQuery copies the awsQuery traits of the overlay model q into m:
//
//   - metadata: xmlNamespace when m has none, and "query" added to protocols;
//   - operations: the output's resultWrapper;
//   - members of structures, list elements, map keys and values: the query
//     name (the reference's locationName, else its target shape's
//     locationName) into ref.QueryName when it differs from the name m
//     already uses, and flattened;
//   - shapes: flattened;
//   - exceptions: error code, HTTP status and fault, each only where m has
//     none.
//
// Shapes are matched by name (through ov.Renames), members by name. A trait
// the generated tables cannot carry (a member xmlNamespace) is an error, as
// is an overlay shape with query traits that matches nothing in m, so a
// model change cannot drop a wire name silently. It returns notes naming the
// parts of m the overlay does not describe.
func mergeQuery(m, q *model, ov *queryOverlay) ([]string, error) {
	var notes []string
	if ns, err := q.Metadata.xmlNamespace(); err != nil {
		return nil, err
	} else if len(m.Metadata.XMLNamespace) == 0 && ns != "" {
		raw, _ := json.Marshal(ns)
		m.Metadata.XMLNamespace = raw
	}
	if len(m.Metadata.Protocols) == 0 && m.Metadata.Protocol != "" {
		m.Metadata.Protocols = []string{m.Metadata.Protocol}
	}
	if !slices.Contains(m.Metadata.Protocols, "query") {
		m.Metadata.Protocols = append(m.Metadata.Protocols, "query")
	}

	for _, name := range sortedKeys(m.Operations) {
		op, qop := m.Operations[name], q.Operations[name]
		if qop == nil {
			notes = append(notes, "query overlay: no operation "+name)
			continue
		}
		if op.Output != nil && qop.Output != nil && op.Output.ResultWrapper == "" {
			op.Output.ResultWrapper = qop.Output.ResultWrapper
		}
	}

	overlayName := func(n string) string {
		if r, ok := ov.Renames[n]; ok {
			return r
		}
		return n
	}
	used := map[string]bool{}
	for _, name := range sortedKeys(m.Shapes) {
		s := m.Shapes[name]
		qs := q.Shapes[overlayName(name)]
		if qs == nil {
			if name != exceptionMessageShape {
				notes = append(notes, "query overlay: no shape "+name)
			}
			continue
		}
		used[overlayName(name)] = true
		if qs.Type != s.Type {
			return nil, fmt.Errorf("query overlay: shape %s is a %s, the overlay's %s a %s", name, s.Type, overlayName(name), qs.Type)
		}
		s.Flattened = s.Flattened || qs.Flattened
		refs := func(r, qr *ref, where string) error {
			if r == nil || qr == nil {
				return nil
			}
			if len(qr.XMLNamespace) > 0 {
				return fmt.Errorf("query overlay: %s has an xmlNamespace, which the generated tables cannot carry", where)
			}
			qn := qr.LocationName
			if qn == "" {
				if target := q.Shapes[qr.Shape]; target != nil {
					qn = target.LocationName
				}
			}
			if qn != "" && qn != r.LocationName {
				r.QueryName = qn
			}
			r.Flattened = r.Flattened || qr.Flattened
			return nil
		}
		for i := range s.Members {
			mb := &s.Members[i]
			j := slices.IndexFunc(qs.Members, func(x member) bool { return x.Name == mb.Name })
			if j < 0 {
				if !(s.Exception && strings.EqualFold(mb.Name, "message")) {
					notes = append(notes, "query overlay: no member "+name+"."+mb.Name)
				}
				continue
			}
			if err := refs(&mb.ref, &qs.Members[j].ref, name+"."+mb.Name); err != nil {
				return nil, err
			}
		}
		for _, p := range []struct {
			r, qr *ref
			what  string
		}{{s.Member, qs.Member, "member"}, {s.Key, qs.Key, "key"}, {s.Value, qs.Value, "value"}} {
			if err := refs(p.r, p.qr, name+"."+p.what); err != nil {
				return nil, err
			}
		}
		if s.Exception && qs.Error != nil {
			if s.Error == nil {
				s.Error = &errorDef{}
			}
			if s.Error.Code == "" {
				s.Error.Code = qs.Error.Code
			}
			if s.Error.HTTPStatusCode == 0 {
				s.Error.HTTPStatusCode = qs.Error.HTTPStatusCode
			}
			if s.Error.SenderFault == nil {
				s.Error.SenderFault = qs.Error.SenderFault
			}
		}
	}
	for _, name := range sortedKeys(q.Shapes) {
		if !used[name] && hasQueryTraits(q.Shapes[name]) {
			return nil, fmt.Errorf("query overlay: shape %s carries query traits but matches no botocore shape (add it to Renames)", name)
		}
	}
	return notes, nil
}

// hasQueryTraits reports whether an overlay shape carries anything
// mergeQuery would copy.
func hasQueryTraits(s *shapeDef) bool {
	if s.Flattened || s.LocationName != "" || s.Error != nil {
		return true
	}
	for _, r := range []*ref{s.Member, s.Key, s.Value} {
		if r != nil && (r.LocationName != "" || r.Flattened) {
			return true
		}
	}
	for _, mb := range s.Members {
		if mb.LocationName != "" || mb.Flattened {
			return true
		}
	}
	return false
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
