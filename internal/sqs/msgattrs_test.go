package sqs

import (
	"strings"
	"testing"

	"github.com/vigilhq/vigil/internal/api/shape"
	sqsapi "github.com/vigilhq/vigil/internal/api/sqs"
)

func str(dt, v string) sqsapi.MessageAttributeValue {
	return sqsapi.MessageAttributeValue{DataType: &dt, StringValue: &v}
}

func bin(dt string, v []byte) sqsapi.MessageAttributeValue {
	return sqsapi.MessageAttributeValue{DataType: &dt, BinaryValue: v}
}

// The digests SQS returns for these attributes, as published with an
// independent implementation (npm aws-md5-of-message-attributes).
func TestMD5OfMessageAttributes(t *testing.T) {
	one := map[string]sqsapi.MessageAttributeValue{"attribName1": str("String", "attribValue 1")}
	num := map[string]sqsapi.MessageAttributeValue{"customNumberTypeAttrib": str("Number.float", "4563442423554324324264524243.32543234")}
	binary := map[string]sqsapi.MessageAttributeValue{"binaryAttribute": bin("Binary", []byte("Hello binary world!"))}
	all := map[string]sqsapi.MessageAttributeValue{}
	for _, m := range []map[string]sqsapi.MessageAttributeValue{one, num, binary} {
		for k, v := range m {
			all[k] = v
		}
	}
	for _, tc := range []struct {
		in   map[string]sqsapi.MessageAttributeValue
		want string
	}{
		{one, "19e27d4e946b072f3f58da80d94fd778"},
		{num, "9fe1b90bbd9965bdf77bac517c7d2495"},
		{binary, "31a92b15d92f8db860eda32aceb656c3"},
		{all, "c932db14a896c663f83c260297d594ff"},
		{nil, ""},
	} {
		attrs, _, err := messageAttributes(tc.in)
		if err != nil {
			t.Fatal(err)
		}
		if got := md5OfAttributes(attrs); got != tc.want {
			t.Errorf("%v: md5 %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestMessageAttributeRules(t *testing.T) {
	ok := func(name string, v sqsapi.MessageAttributeValue) {
		t.Helper()
		if _, _, err := messageAttributes(map[string]sqsapi.MessageAttributeValue{name: v}); err != nil {
			t.Errorf("%s %+v: %v", name, v, err)
		}
	}
	bad := func(name string, v sqsapi.MessageAttributeValue, code, msg string) {
		t.Helper()
		_, _, err := messageAttributes(map[string]sqsapi.MessageAttributeValue{name: v})
		wantErr(t, err, code, msg)
	}
	ok("a-b_c.d", str("String", "x"))
	ok("n", str("Number", "-12.5e3"))
	ok("n", str("Number.int", "42"))
	ok("b", bin("Binary.gif", []byte{0, 1, 2}))
	ok(strings.Repeat("a", 256), str("String", "x"))

	bad(strings.Repeat("a", 257), str("String", "x"), "InvalidParameterValue", "between 1 and 256")
	bad("a b", str("String", "x"), "InvalidParameterValue", "can only contain")
	bad(".a", str("String", "x"), "InvalidParameterValue", "period")
	bad("a.", str("String", "x"), "InvalidParameterValue", "period")
	bad("a..b", str("String", "x"), "InvalidParameterValue", "period")
	bad("AWS.x", str("String", "x"), "InvalidParameterValue", "reserved")
	bad("amazon.x", str("String", "x"), "InvalidParameterValue", "reserved")
	bad("a", str("Text", "x"), "InvalidParameterValue", "supported type prefixes: Binary, Number, String")
	bad("a", str("String.", "x"), "InvalidParameterValue", "supported type prefixes")
	bad("a", str("String", ""), "InvalidParameterValue", "non-empty value of message attribute type 'String'")
	bad("a", bin("Binary", nil), "InvalidParameterValue", "non-empty value of message attribute type 'Binary'")
	bad("a", str("Number", "12a"), "InvalidParameterValue", "to a number")
	bad("a", str("Number", strings.Repeat("9", 39)), "InvalidParameterValue", "to a number")
	bad("a", str("Number", "1e127"), "InvalidParameterValue", "to a number")
	bad("a", str("String", "bell\a"), "InvalidMessageContents", "#x7")

	many := map[string]sqsapi.MessageAttributeValue{}
	for i := range 11 {
		many[string(rune('a'+i))] = str("String", "v")
	}
	_, _, err := messageAttributes(many)
	wantErr(t, err, "InvalidParameterValue", "Number of message attributes [11] exceeds the allowed maximum [10].")
}

func TestValidNumber(t *testing.T) {
	for s, want := range map[string]bool{
		"0": true, "-1": true, "+1": true, "1.": true, ".5": true, "1.5E-3": true, "0.000": true,
		strings.Repeat("9", 38): true, "1e125": true, "1e-127": true,
		"": false, "-": false, ".": false, "1e": false, "--1": false, "1.2.3": false, "0x10": false,
		strings.Repeat("9", 39): false, "1e126": false, "1e-129": false, "NaN": false, "Inf": false,
	} {
		if got := validNumber(s); got != want {
			t.Errorf("validNumber(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestBodyCharacters(t *testing.T) {
	for _, ok := range []string{"plain", "tab\tnew\nline\r", "é€😀", "\uE000\uFFFD"} {
		if err := checkBody(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	wantErr(t, checkBody(""), "MissingParameter", "The request must contain the parameter MessageBody.")
	wantErr(t, checkBody("a\x00b"), "InvalidMessageContents", "Invalid binary character '#x0' was found in the message body")
	wantErr(t, checkBody("\uFFFE"), "InvalidMessageContents", "'#xFFFE'")
	wantErr(t, checkBody("ok\xffbad"), "InvalidMessageContents", "'#xFF'")
}

func TestSystemAttributes(t *testing.T) {
	trace := "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1"
	got, err := systemAttributes(map[string]sqsapi.MessageSystemAttributeValue{
		"AWSTraceHeader": {DataType: shape.Ptr("String"), StringValue: &trace}})
	if err != nil || got != trace {
		t.Fatalf("%q %v", got, err)
	}
	_, err = systemAttributes(map[string]sqsapi.MessageSystemAttributeValue{"SenderId": {DataType: shape.Ptr("String"), StringValue: &trace}})
	wantErr(t, err, "InvalidParameterValue", "Message system attribute name 'SenderId' is invalid.")
	_, err = systemAttributes(map[string]sqsapi.MessageSystemAttributeValue{"AWSTraceHeader": {DataType: shape.Ptr("Binary"), BinaryValue: []byte("x")}})
	wantErr(t, err, "InvalidParameterValue", "non-empty String")
}
