package audit

import (
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/api/shape"
)

type testDim struct {
	Name  *string
	Value *string
}

type testInput struct {
	LogGroupName *string
	DBName       *string
	Password     *string
	Count        *int32
	Ratio        *float64
	When         *time.Time
	Payload      []byte
	Tags         map[string]string
	Dims         []testDim
	Secret       *testDim
	Flag         *bool
	Doc          any
}

func testShapes() *shape.Shape {
	str := &shape.Shape{Name: "S", Type: shape.String}
	secret := &shape.Shape{Name: "Pw", Type: shape.String, Sensitive: true}
	dim := &shape.Shape{Name: "Dim", Type: shape.Structure, GoType: reflect.TypeOf(testDim{}),
		Members: []*shape.Member{{Name: "Name", Shape: str}, {Name: "Value", Shape: str, Index: 1}}}
	secretDim := &shape.Shape{Name: "SecretDim", Type: shape.Structure, Sensitive: true,
		GoType: reflect.TypeOf(testDim{}), Members: dim.Members}
	return &shape.Shape{Name: "In", Type: shape.Structure, GoType: reflect.TypeOf(testInput{}), Members: []*shape.Member{
		{Name: "LogGroupName", Shape: str},
		{Name: "DBName", Shape: str},
		{Name: "Password", Shape: secret},
		{Name: "Count", Shape: &shape.Shape{Type: shape.Integer}},
		{Name: "Ratio", Shape: &shape.Shape{Type: shape.Double}},
		{Name: "When", Shape: &shape.Shape{Type: shape.Timestamp}},
		{Name: "Payload", Shape: &shape.Shape{Type: shape.Blob}},
		{Name: "Tags", Shape: &shape.Shape{Type: shape.Map, Key: &shape.Member{Shape: str}, Value: &shape.Member{Shape: secret}}},
		{Name: "Dims", Shape: &shape.Shape{Type: shape.List, Member: &shape.Member{Shape: dim}}},
		{Name: "Secret", Shape: secretDim},
		{Name: "Flag", Shape: &shape.Shape{Type: shape.Boolean}},
		{Name: "Doc", Shape: &shape.Shape{Type: shape.Structure, Document: true}},
	}}
}

func TestParams(t *testing.T) {
	s := testShapes()
	when := time.Date(2026, 11, 25, 10, 0, 0, 500_000_000, time.FixedZone("x", 3600))
	for _, c := range []struct {
		name string
		v    any
		want string
	}{
		{"nil", nil, ""},
		{"nil pointer", (*testInput)(nil), ""},
		{"empty", &testInput{}, ""},
		{"struct value", testInput{Flag: shape.Ptr(false)}, `{"flag":false}`},
		{"all", &testInput{
			LogGroupName: shape.Ptr("/app"),
			DBName:       shape.Ptr("db"),
			Password:     shape.Ptr("hunter2"),
			Count:        shape.Ptr(int32(3)),
			Ratio:        shape.Ptr(0.5),
			When:         &when,
			Payload:      []byte("xyz"),
			Tags:         map[string]string{"b": "2", "a": "1"},
			Dims:         []testDim{{Name: shape.Ptr("n"), Value: shape.Ptr("v<&>")}, {}},
			Secret:       &testDim{Name: shape.Ptr("x")},
			Flag:         shape.Ptr(true),
			Doc:          map[string]any{"k": []any{1.0, "s"}},
		}, `{"logGroupName":"/app","dBName":"db","password":"HIDDEN_DUE_TO_SECURITY_REASONS","count":3,"ratio":0.5,` +
			`"when":"2026-11-25T09:00:00.5Z","tags":{"a":"HIDDEN_DUE_TO_SECURITY_REASONS","b":"HIDDEN_DUE_TO_SECURITY_REASONS"},` +
			`"dims":[{"name":"n","value":"v\u003c\u0026\u003e"},{}],"secret":"HIDDEN_DUE_TO_SECURITY_REASONS","flag":true,"doc":{"k":[1,"s"]}}`},
		{"nan", &testInput{Ratio: shape.Ptr(math.NaN())}, `{"ratio":"NaN"}`},
		{"empty list", &testInput{Dims: []testDim{}}, `{"dims":[]}`},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := Params(s, c.v)
			if string(got) != c.want {
				t.Fatalf("got  %s\nwant %s", got, c.want)
			}
			if got == nil {
				return
			}
			if !jsonValid(got) {
				t.Fatalf("invalid JSON %s", got)
			}
		})
	}
}
