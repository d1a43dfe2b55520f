package awsquery

import (
	"reflect"
	"time"

	"github.com/vigilhq/vigil/internal/api/shape"
)

// Hand-made shapes and Go types covering every shape type and query
// serialization trait, following package shape's representation table.

type kitchenInput struct {
	Str       *string
	Bool      *bool
	Int       *int32
	Long      *int64
	Float     *float32
	Double    *float64
	Time      *time.Time
	Blob      []byte
	List      []string
	FlatList  []string
	Named     []int32
	FlatNamed []string
	Items     []item
	Map       map[string]string
	FlatMap   map[string]item
	Nested    *nested
	Renamed   *string
	Lists     [][]string
	Epoch     *time.Time
}

type item struct {
	Name  *string
	Value *float64
	Tags  []string
}

type nested struct {
	Inner *nested
	Leaf  *string
	Times []time.Time
}

type kitchenOutput struct {
	Str       *string
	Bool      *bool
	Int       *int32
	Long      *int64
	Float     *float32
	Double    *float64
	Time      *time.Time
	Blob      []byte
	List      []string
	FlatList  []string
	Named     []int32
	FlatNamed []string
	Items     []item
	Map       map[string]string
	FlatMap   map[string]item
	Nested    *nested
	Renamed   *string
	Lists     [][]string
	Epoch     *time.Time
	Attr      *string
}

type notFound struct {
	Message      *string
	ResourceName *string
}

func (e *notFound) Error() string            { return "ResourceNotFound: " + shape.Value(e.Message) }
func (e *notFound) ErrorShape() *shape.Shape { return notFoundShape }

var (
	strShape    = &shape.Shape{Name: "String", Type: shape.String}
	boolShape   = &shape.Shape{Name: "Boolean", Type: shape.Boolean}
	intShape    = &shape.Shape{Name: "Integer", Type: shape.Integer}
	longShape   = &shape.Shape{Name: "Long", Type: shape.Long}
	floatShape  = &shape.Shape{Name: "Float", Type: shape.Float}
	doubleShape = &shape.Shape{Name: "Double", Type: shape.Double}
	timeShape   = &shape.Shape{Name: "Timestamp", Type: shape.Timestamp}
	epochShape  = &shape.Shape{Name: "Epoch", Type: shape.Timestamp, TimestampFormat: "unixTimestamp"}
	blobShape   = &shape.Shape{Name: "Blob", Type: shape.Blob}

	strList       = &shape.Shape{Name: "StrList", Type: shape.List, Member: &shape.Member{Shape: strShape}}
	flatStrList   = &shape.Shape{Name: "FlatStrList", Type: shape.List, Flattened: true, Member: &shape.Member{Shape: strShape}}
	namedIntList  = &shape.Shape{Name: "NamedIntList", Type: shape.List, Member: &shape.Member{Shape: intShape, LocationName: "item"}}
	flatNamedList = &shape.Shape{Name: "FlatNamedList", Type: shape.List, Flattened: true, Member: &shape.Member{Shape: strShape, LocationName: "Attr"}}
	strMap        = &shape.Shape{Name: "StrMap", Type: shape.Map, Key: &shape.Member{Shape: strShape}, Value: &shape.Member{Shape: strShape}}
	listOfLists   = &shape.Shape{Name: "ListOfLists", Type: shape.List, Member: &shape.Member{Shape: strList}}
	timeList      = &shape.Shape{Name: "TimeList", Type: shape.List, Member: &shape.Member{Shape: timeShape}}

	itemShape = &shape.Shape{Name: "Item", Type: shape.Structure, GoType: reflect.TypeFor[item](), Members: []*shape.Member{
		{Name: "Name", Shape: strShape, Index: 0},
		{Name: "Value", Shape: doubleShape, Index: 1},
		{Name: "Tags", Shape: strList, Index: 2},
	}}
	itemList    = &shape.Shape{Name: "ItemList", Type: shape.List, Member: &shape.Member{Shape: itemShape}}
	flatItemMap = &shape.Shape{Name: "FlatItemMap", Type: shape.Map, Flattened: true,
		Key: &shape.Member{Shape: strShape, LocationName: "Name"}, Value: &shape.Member{Shape: itemShape, LocationName: "Value"}}

	nestedShape = &shape.Shape{Name: "Nested", Type: shape.Structure, GoType: reflect.TypeFor[nested]()}

	kitchenMembers = []*shape.Member{
		{Name: "Str", Shape: strShape},
		{Name: "Bool", Shape: boolShape},
		{Name: "Int", Shape: intShape},
		{Name: "Long", Shape: longShape},
		{Name: "Float", Shape: floatShape},
		{Name: "Double", Shape: doubleShape},
		{Name: "Time", Shape: timeShape},
		{Name: "Blob", Shape: blobShape},
		{Name: "List", Shape: strList},
		{Name: "FlatList", Shape: flatStrList},
		{Name: "Named", Shape: namedIntList},
		{Name: "FlatNamed", Shape: flatNamedList},
		{Name: "Items", Shape: itemList},
		{Name: "Map", Shape: strMap},
		{Name: "FlatMap", Shape: flatItemMap, LocationName: "Entry"},
		{Name: "Nested", Shape: nestedShape},
		{Name: "Renamed", Shape: strShape, LocationName: "renamed_member"},
		{Name: "Lists", Shape: listOfLists},
		{Name: "Epoch", Shape: epochShape},
	}

	kitchenInputShape  = &shape.Shape{Name: "KitchenInput", Type: shape.Structure, GoType: reflect.TypeFor[kitchenInput](), Members: kitchenMembers}
	kitchenOutputShape = &shape.Shape{Name: "KitchenOutput", Type: shape.Structure, GoType: reflect.TypeFor[kitchenOutput](),
		Members: append(append([]*shape.Member(nil), kitchenMembers...), &shape.Member{Name: "Attr", Shape: strShape, LocationName: "attr", XMLAttribute: true})}

	notFoundShape = &shape.Shape{Name: "ResourceNotFoundException", Type: shape.Structure, GoType: reflect.TypeFor[notFound](),
		Exception: &shape.ErrorTrait{Code: "ResourceNotFound", HTTPStatus: 404, SenderFault: true},
		Members: []*shape.Member{
			{Name: "Message", Shape: strShape},
			{Name: "ResourceName", Shape: strShape, Index: 1},
		}}

	testService = &shape.Service{
		ID:           "kitchen",
		APIVersion:   "2026-01-01",
		XMLNamespace: "http://kitchen.amazonaws.com/doc/2026-01-01/",
		Protocols:    []string{"query"},
		Operations: []*shape.Operation{
			{Name: "Kitchen", Input: kitchenInputShape, Output: kitchenOutputShape, ResultWrapper: "KitchenResult", Errors: []*shape.Shape{notFoundShape}},
			{Name: "NoOutput", Input: kitchenInputShape, Index: 1},
		},
	}
)

func init() {
	nestedShape.Members = []*shape.Member{
		{Name: "Inner", Shape: nestedShape},
		{Name: "Leaf", Shape: strShape, Index: 1},
		{Name: "Times", Shape: timeList, Index: 2},
	}
	for _, s := range []*shape.Shape{kitchenInputShape, kitchenOutputShape} {
		for i, m := range s.Members {
			m.Index = i
		}
	}
}
