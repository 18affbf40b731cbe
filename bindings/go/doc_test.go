package pipc_test

import (
	"go/ast"
	"go/doc"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

// TestDocumented keeps go doc -all complete: every package of the module, internal ones
// included, has a package comment, and every exported constant, variable, type, function
// and method a doc comment that, for types, functions and methods, begins with its name
// (optionally after "A", "An" or "The"), as Go's conventions ask. The SWIG-generated
// internal/raw/raw.go lives in the build directory, so it is not checked.
func TestDocumented(t *testing.T) {
	dirs := map[string]bool{}
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(path, ".go") && !strings.HasSuffix(path, "_test.go") {
			dirs[filepath.Dir(path)] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !dirs["."] || !dirs["sysv"] {
		t.Fatalf("the walk missed the packages: %v", dirs)
	}
	for dir := range dirs {
		checkPackage(t, dir)
	}
}

func checkPackage(t *testing.T, dir string) {
	fset := token.NewFileSet()
	var files []*ast.File
	paths, _ := filepath.Glob(filepath.Join(dir, "*.go"))
	for _, path := range paths {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	pkg, err := doc.NewFromFiles(fset, files, "libpipc.dev/pipc/"+dir)
	if err != nil {
		t.Fatal(err)
	}
	if pkg.Name == "main" {
		return // a command: go doc shows its package comment only
	}
	if strings.TrimSpace(pkg.Doc) == "" {
		t.Errorf("%s: no package comment", dir)
	}
	where := func(name string) string { return dir + ": " + name }
	values := func(vs []*doc.Value) {
		for _, v := range vs {
			if strings.TrimSpace(v.Doc) != "" {
				continue // a group's comment documents its names
			}
			for _, spec := range v.Decl.Specs {
				s := spec.(*ast.ValueSpec)
				for _, n := range s.Names {
					if n.IsExported() && s.Doc == nil && s.Comment == nil {
						t.Errorf("%s: no doc comment", where(n.Name))
					}
				}
			}
		}
	}
	named := func(name, text string) {
		text = strings.TrimSpace(text)
		for _, article := range []string{"A ", "An ", "The "} {
			text = strings.TrimPrefix(text, article)
		}
		if !strings.HasPrefix(text, name+" ") && !strings.HasPrefix(text, name+",") &&
			!strings.HasPrefix(text, name+"'s ") {
			t.Errorf("%s: the doc comment does not begin with its name: %q", where(name), firstLine(text))
		}
	}
	funcs := func(fs []*doc.Func) {
		for _, f := range fs {
			named(f.Name, f.Doc)
		}
	}
	values(pkg.Consts)
	values(pkg.Vars)
	funcs(pkg.Funcs)
	for _, typ := range pkg.Types {
		named(typ.Name, typ.Doc)
		values(typ.Consts)
		values(typ.Vars)
		funcs(typ.Funcs)
		funcs(typ.Methods)
		if st, ok := typ.Decl.Specs[0].(*ast.TypeSpec).Type.(*ast.StructType); ok {
			for _, field := range st.Fields.List {
				for _, n := range field.Names {
					if n.IsExported() && field.Doc == nil && field.Comment == nil {
						t.Errorf("%s: no comment", where(typ.Name+"."+n.Name))
					}
				}
			}
		}
	}
}

func firstLine(s string) string { return strings.SplitN(s, "\n", 2)[0] }
