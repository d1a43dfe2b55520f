module github.com/vigilhq/vigil/internal/protocol/awsquery/interop

go 1.26.0

require (
	github.com/aws/aws-sdk-go v1.47.5
	github.com/aws/aws-sdk-go-v2 v1.48.0
	github.com/aws/aws-sdk-go-v2/service/cloudwatch v1.75.7
	github.com/aws/aws-sdk-go-v2/service/sns v1.48.0
	github.com/aws/smithy-go v1.28.9
	github.com/vigilhq/vigil v0.0.0
)

require (
	github.com/aws/aws-sdk-go-v2/internal/configsources v1.5.12 // indirect
	github.com/aws/aws-sdk-go-v2/internal/endpoints/v2 v2.8.12 // indirect
	github.com/jmespath/go-jmespath v0.4.0 // indirect
)

replace github.com/vigilhq/vigil => ../../../..

// The main module may require a newer cloudwatch client (which speaks CBOR);
// this module must test the last awsQuery release.
replace github.com/aws/aws-sdk-go-v2/service/cloudwatch => github.com/aws/aws-sdk-go-v2/service/cloudwatch v1.52.8
