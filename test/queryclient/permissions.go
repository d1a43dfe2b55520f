package main

import (
	"fmt"
	"strings"

	v1aws "github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/service/sqs"
)

// sqsPermissions adds and removes a queue permission over awsQuery, whose
// lists are flattened as AWSAccountId.N and ActionName.N.
func sqsPermissions(c *sqs.SQS, spy *formSpy, url string) error {
	if _, err := c.AddPermission(&sqs.AddPermissionInput{QueueUrl: &url, Label: v1aws.String("Partners"),
		AWSAccountIds: v1aws.StringSlice([]string{"111122223333", "444455556666"}), Actions: v1aws.StringSlice([]string{"SendMessage", "GetQueueUrl"})}); err != nil {
		return fmt.Errorf("sqs AddPermission: %w", err)
	}
	for _, p := range []string{"Action=AddPermission", "AWSAccountId.2=444455556666", "ActionName.1=SendMessage"} {
		if !strings.Contains(spy.last(), p) {
			return fmt.Errorf("sqs AddPermission: the client's form %q lacks %q; the test proves nothing", spy.last(), p)
		}
	}
	ga, err := c.GetQueueAttributes(&sqs.GetQueueAttributesInput{QueueUrl: &url, AttributeNames: v1aws.StringSlice([]string{"Policy"})})
	if err != nil {
		return fmt.Errorf("sqs GetQueueAttributes Policy: %w", err)
	}
	arn := "arn:aws:sqs:us-east-1:000000000000:orders"
	want := `{"Version":"2012-10-17","Id":"` + arn + `/SQSDefaultPolicy","Statement":[{"Sid":"Partners","Effect":"Allow",` +
		`"Principal":{"AWS":["arn:aws:iam::111122223333:root","arn:aws:iam::444455556666:root"]},` +
		`"Action":["SQS:SendMessage","SQS:GetQueueUrl"],"Resource":"` + arn + `"}]}`
	if got := v1aws.StringValue(ga.Attributes["Policy"]); got != want {
		return fmt.Errorf("sqs AddPermission: Policy\n got %s\nwant %s", got, want)
	}
	_, err = c.AddPermission(&sqs.AddPermissionInput{QueueUrl: &url, Label: v1aws.String("Partners"),
		AWSAccountIds: v1aws.StringSlice([]string{"111122223333"}), Actions: v1aws.StringSlice([]string{"SendMessage"})})
	if err := wantV1("sqs AddPermission of a label in use", err, "InvalidParameterValue", 400); err != nil {
		return err
	}
	if _, err := c.RemovePermission(&sqs.RemovePermissionInput{QueueUrl: &url, Label: v1aws.String("Partners")}); err != nil {
		return fmt.Errorf("sqs RemovePermission: %w", err)
	}
	fmt.Println("ok   sqs AddPermission, RemovePermission over awsQuery")
	return nil
}
