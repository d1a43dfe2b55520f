package insights

import "github.com/vigilhq/vigil/internal/insights/query"

// compileUnmask compiles "unmask field" (CWL_QuerySyntax-Unmask): "display
// all the content of a log event that has some content masked because of a
// data protection policy". Vigil has no data protection policies, so a
// stored value is never masked and the field already holds its whole
// content: the command leaves the field as it is, under its own name.
//
// Our decision where the guide is silent: unmask changes no column. The
// guide's way to show the unmasked text as a column of its own is the
// function, fields unmask(@message), whose column is "unmask(@message)";
// the command's documented use is on the events' @message, which the
// default columns show.
func compileUnmask(*query.UnmaskCmd) stage {
	return stage{kind: stFields}
}
