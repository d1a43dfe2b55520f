// Package awsquery is the awsQuery wire protocol: requests are
// application/x-www-form-urlencoded parameters (in the body, or in the URL
// query of a GET), replies and errors are XML. CloudWatch (for clients older
// than the CBOR switch), SNS, STS and SQS (old clients) speak it.
//
// The codec is generic: it walks the operation's *shape.Shape tables together
// with the generated Go values by reflection, following the representation
// table of package shape. It owns only the mapping between the wire and those
// values; routing (Action, Version), authentication, constraint validation
// and behaviour belong elsewhere, and it must not touch them.
//
// # Request parameters
//
//	structure member   Prefix.<WireName>
//	list               Prefix.Name.member.N       (element name: the list member's locationName, else "member")
//	flattened list     Prefix.Name.N              (Name is the element's locationName when it has one, as botocore does)
//	map                Prefix.Name.entry.N.key / .value   (key/value names from their locationNames)
//	flattened map      Prefix.Name.N.key / .value
//	empty list/map     Prefix.Name=               (botocore sends this; decodes to an empty non-nil value)
//
// Names: a member's QueryName (set by the generator from a query-protocol
// model when the botocore model is JSON only, as SQS's is) wins over its
// LocationName, which wins over the model name; replies use the same names
// for their XML elements.
//
// Indices start at 1, may be sparse and arrive in any order; elements are
// kept in index order. Unknown parameters are ignored. Decoded strings are
// fresh copies: they never alias the request body.
//
// # Errors
//
// A body that is not a valid form answers MalformedQueryString; a value that
// does not parse as its shape's type answers InvalidParameterValue naming the
// parameter. Both are Sender faults; the HTTP statuses are the ones AWS
// documents on the "Common Errors" page of the CloudWatch/SNS API references
// (MalformedQueryString is documented as 404 there, InvalidParameterValue as
// 400).
package awsquery
