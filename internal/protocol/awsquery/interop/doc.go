// Package interop proves the awsquery codec against a real awsQuery client:
// aws-sdk-go-v2 service/cloudwatch v1.52.8, the last release that speaks
// awsQuery. It is its own module so the old SDK never enters Vigil's build.
//
// Run: cd internal/protocol/awsquery/interop && go test ./...
package interop
