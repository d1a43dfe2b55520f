// Package interop proves the awsquery codec against real awsQuery clients:
// aws-sdk-go-v2 service/cloudwatch v1.52.8, the last release that speaks
// awsQuery, the current aws-sdk-go-v2 SNS client, and aws-sdk-go v1.47.5's
// SQS client, the last aws-sdk-go release whose SQS client speaks awsQuery.
// It is its own module so the old SDKs never enter Vigil's build.
//
// Run: cd internal/protocol/awsquery/interop && go test ./...
package interop
