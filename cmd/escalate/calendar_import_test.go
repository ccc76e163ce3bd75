package main

import (
	"os"
	"path/filepath"
	"testing"
)

const importJSON = `{
  "england-and-wales": {"division": "england-and-wales", "events": [
    {"title": "Bank holiday for a state occasion", "date": "2031-03-04", "notes": "", "bunting": false},
    {"title": "Christmas Day", "date": "2031-12-25", "notes": "", "bunting": true}
  ]},
  "scotland": {"division": "scotland", "events": [
    {"title": "St Andrew’s Day", "date": "2031-12-01", "notes": "Substitute day", "bunting": true}
  ]}
}
`

func writeFile(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestCalendarImportCLI(t *testing.T) {
	db := newMigratedDB(t)
	mustRun(t, db, "partnership", "add", "--policy", "redbridge", "--name", "Redbridge LSCB")
	file := writeFile(t, "bank-holidays.json", importJSON)

	out := mustRun(t, db, "calendar", "import", file)
	want := "england-and-wales: 2 added, 0 renamed, 0 unchanged\nscotland: 1 added, 0 renamed, 0 unchanged\n"
	if out != want {
		t.Errorf("import = %q, want %q", out, want)
	}
	out = mustRun(t, db, "calendar", "import", "--db", db, file)
	if want := "england-and-wales: 0 added, 0 renamed, 2 unchanged\nscotland: 0 added, 0 renamed, 1 unchanged\n"; out != want {
		t.Errorf("second import = %q, want %q", out, want)
	}
	wantEvents(t, db, 4) // partnership (2) and one per division that changed

	local := writeFile(t, "closures.json", `{"england-and-wales": {"events": [{"title": "Office move", "date": "2031-03-03"}]}}`)
	out = mustRun(t, db, "calendar", "import", local, "--partnership", "redbridge", "--local")
	if out != "england-and-wales: 1 added, 0 renamed, 0 unchanged\n" {
		t.Errorf("local import = %q", out)
	}
	wantEvents(t, db, 5)

	tests := []struct {
		name string
		code int
		want string
		args []string
	}{
		{"ErrNoFile", 2, "missing argument", []string{}},
		{"ErrTwoFiles", 2, "unexpected argument", []string{file, file}},
		{"ErrMissingFile", 2, "no such file", []string{filepath.Join(t.TempDir(), "none.json")}},
		{"ErrBadJSON", 2, "bad.json:2:", []string{writeFile(t, "bad.json", "{\n  \"wales\": {}\n}")}},
		{"ErrLocalAlone", 2, "--local needs --partnership", []string{local, "--local"}},
		{"ErrPartnership", 2, "no such partnership", []string{local, "--partnership", "nope"}},
		{"ErrDivision", 2, "has no england-and-wales holidays", []string{writeFile(t, "scot.json", `{"scotland": {"events": []}}`), "--partnership", "redbridge"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantExit(t, db, tt.code, tt.want, append([]string{"calendar", "import"}, tt.args...)...)
		})
	}
	wantEvents(t, db, 5)
}
