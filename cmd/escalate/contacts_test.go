package main

import (
	"strings"
	"testing"
)

func TestContactsCLI(t *testing.T) {
	db := newMigratedDB(t)
	mustRun(t, db, "partnership", "add", "--policy", "wirral", "--name", "Wirral SCP")
	mustRun(t, db, "agency", "add", "--partnership", "wirral", "--name", "Wirral Council", "--kind", "childrens-social-care")
	good := writeFile(t, "contacts.csv", "agency,role,name,job_title,phone,email,last_verified\n"+
		"Wirral Council,lado,Sam Patel,LADO,0151 666 4582,,2026-10-01\n"+
		"Wirral Council,front-door,Integrated Front Door,,0151 606 2008,ifd@wirral.example,2026-10-01\n")
	bad := writeFile(t, "bad.csv", "agency,role,name,job_title,phone,email,last_verified\n"+
		"Wirral Council,lado,Al Bee,LADO,0151 666 4582,,2026-10-01\n"+
		"Wirral Council,nurse,Pat Kay,Nurse,0151 666 1111,,2026-10-01\n")

	wantExit(t, db, 2, `bad.csv:3: role "nurse" is not a known role`, "contacts", "import", "--partnership", "wirral", bad)
	if out := mustRun(t, db, "contacts", "list", "--partnership", "wirral"); strings.Contains(out, "Al Bee") {
		t.Errorf("a bad file imported a row:\n%s", out)
	}
	if out := mustRun(t, db, "contacts", "import", "--partnership", "wirral", good); out != "wirral: 2 added, 0 updated\n" {
		t.Errorf("import = %q", out)
	}
	out := mustRun(t, db, "contacts", "list", "--partnership", "wirral")
	if !strings.Contains(out, "Sam Patel") || !strings.Contains(out, "ifd@wirral.example") {
		t.Errorf("list:\n%s", out)
	}
	wantExit(t, db, 2, "missing --partnership", "contacts", "import", good)
	wantExit(t, db, 2, "no such partnership", "contacts", "import", "--partnership", "nope", good)
	wantExit(t, db, 2, "missing argument", "contacts", "import", "--partnership", "wirral")
}
