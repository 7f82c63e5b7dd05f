// Package funclen finds functions longer than the house limit (80 lines),
// so `make lint` and the unit tests keep the code in pieces a reader can
// hold. Route tables (a function whose body is mostly registrations) are
// allowed by name in Allowed.
package funclen

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"sort"
	"strings"
)

// Max is the longest a function may be, in lines from its func keyword to
// its closing brace.
const Max = 80

// Allowed are the route tables: "path/to/file.go:Func" (receiver-less
// name, or "Type.Method").
var Allowed = map[string]bool{
	"agent/control/server.go:Handler": true, // the control API's routes
}

// Long is one function over the limit.
type Long struct {
	Pos   string // file:line
	Name  string
	Lines int
}

func (l Long) String() string {
	return fmt.Sprintf("%s: %s is %d lines (at most %d)", l.Pos, l.Name, l.Lines, Max)
}

// Find lists the functions over Max in the Go files under root (test
// files too; vendor, testdata and hidden directories left out).
func Find(root string) ([]Long, error) {
	var out []Long
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if p != root && (strings.HasPrefix(name, ".") || name == "vendor" || name == "testdata" || name == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(name, ".go") {
			return nil
		}
		f, err := parser.ParseFile(fset, p, nil, parser.SkipObjectResolution)
		if err != nil {
			return fmt.Errorf("parse %s: %w", p, err)
		}
		rel, _ := filepath.Rel(root, p)
		out = append(out, longIn(fset, f, filepath.ToSlash(rel))...)
		return nil
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Pos < out[j].Pos })
	return out, err
}

func longIn(fset *token.FileSet, f *ast.File, rel string) []Long {
	var out []Long
	for _, decl := range f.Decls {
		fn, ok := decl.(*ast.FuncDecl)
		if !ok || fn.Body == nil {
			continue
		}
		name := fn.Name.Name
		if fn.Recv != nil && len(fn.Recv.List) == 1 {
			name = recvName(fn.Recv.List[0].Type) + "." + name
		}
		start, end := fset.Position(fn.Pos()), fset.Position(fn.End())
		n := end.Line - start.Line + 1
		if n > Max && !Allowed[rel+":"+name] {
			out = append(out, Long{Pos: fmt.Sprintf("%s:%d", rel, start.Line), Name: name, Lines: n})
		}
	}
	return out
}

func recvName(e ast.Expr) string {
	switch t := e.(type) {
	case *ast.StarExpr:
		return recvName(t.X)
	case *ast.IndexExpr:
		return recvName(t.X)
	case *ast.IndexListExpr:
		return recvName(t.X)
	case *ast.Ident:
		return t.Name
	}
	return "?"
}
