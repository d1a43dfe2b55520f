package main

import (
	"strings"
	"testing"
)

// TestQueryOverlay merges a small query model into the tiny botocore model
// and checks what lands in the generated tables.
func TestQueryOverlay(t *testing.T) {
	const overlay = `{
  "metadata": {"protocol": "query", "xmlNamespace": "http://ignored.example/"},
  "operations": {"PutThing": {"output": {"shape": "PutThingOutput", "resultWrapper": "Ignored"}}},
  "shapes": {
    "PutThingInput": {"type": "structure", "members": {
      "tags": {"shape": "TagMap"},
      "Name": {"shape": "Name", "locationName": "N"},
      "count": {"shape": "Count", "locationName": "Counter"}}},
    "TagMap": {"type": "map", "flattened": true, "locationName": "Tag",
      "key": {"shape": "Name", "locationName": "Key"}, "value": {"shape": "Name", "locationName": "Val"}},
    "ItemList": {"type": "list", "member": {"shape": "Item", "locationName": "Thing"}},
    "Counter": {"type": "integer"},
    "BadThing": {"type": "structure", "members": {}, "exception": true,
      "error": {"code": "OverlayCode", "httpStatusCode": 418, "senderFault": false}},
    "Broken": {"type": "structure", "members": {}, "exception": true,
      "error": {"code": "Broken.Code", "httpStatusCode": 503}}
  }
}`
	data := readTiny(t)
	ov := &overlayInput{ov: &queryOverlay{Renames: map[string]string{"Count": "Counter"}}, source: "test/overlay.json", data: []byte(overlay)}
	files, notes, err := generate("tiny", "tiny/2024-01-01", "0.0.0", data, ov)
	if err != nil {
		t.Fatal(err)
	}
	model := string(files["model.go"])
	for _, want := range []string{
		`Protocols:       []string{"json", "query"}`,
		`XMLNamespace:    "http://tiny.example/doc/2024-01-01/"`,                                  // botocore's kept
		`ResultWrapper: "PutThingResult"`,                                                         // botocore's kept
		`{Name: "tags", Shape: shape_TagMap, QueryName: "Tag", Required: true, Index: 2}`,         // the shape's locationName
		`{Name: "Name", Shape: shape_Name, LocationName: "N", Location: "querystring", Index: 1}`, // same name: no QueryName
		`{Name: "count", Shape: shape_Count, QueryName: "Counter", Index: 9}`,                     // member locationName
		`shape_TagMap.Key = &shape.Member{Name: "key", Shape: shape_Name, LocationName: "Key"}`,   // same name
		`shape_TagMap.Value = &shape.Member{Name: "value", Shape: shape_Name, QueryName: "Val"}`,  // new name
		`shape_ItemList.Member = &shape.Member{Name: "member", Shape: shape_Item, LocationName: "item", QueryName: "Thing"}`,
		`Exception: &shape.ErrorTrait{Code: "BadThingCode", HTTPStatus: 409, SenderFault: true}`, // botocore's kept
		`Exception: &shape.ErrorTrait{Code: "Broken.Code", HTTPStatus: 503}`,                     // filled in
		`= &shape.Shape{Name: "TagMap", Type: shape.Map, Flattened: true`,
	} {
		if !strings.Contains(model, want) {
			t.Errorf("model.go lacks %s", want)
		}
	}
	if !strings.Contains(string(files["doc.go"]), "test/overlay.json") {
		t.Error("doc.go does not name the overlay")
	}
	if !strings.Contains(strings.Join(notes, "\n"), "query overlay: no shape Secret") {
		t.Errorf("notes do not list the unmatched shapes: %v", notes)
	}

	// An overlay shape with query traits that matches nothing is an error.
	bad := strings.Replace(overlay, `"ItemList"`, `"ItemsRenamed"`, 1)
	if _, _, err := generate("tiny", "tiny/2024-01-01", "0.0.0", data, &overlayInput{ov: &queryOverlay{}, source: "x", data: []byte(bad)}); err == nil ||
		!strings.Contains(err.Error(), "ItemsRenamed") {
		t.Errorf("unmatched overlay shape: err = %v", err)
	}
}
