package shape

// CompilePattern exposes the pattern compiler to the external tests.
var CompilePattern = compilePattern
