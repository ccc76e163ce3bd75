package main

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/escalate-project/escalate/internal/testenv"
)

// pdfText is the text of the PDF at path, by pdftotext, with its runs of
// white space made one space so a wrapped line still matches.
func pdfText(t *testing.T, path string) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		testenv.Missing(t, "pdftotext is not installed")
	}
	out, err := exec.Command(bin, path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return strings.Join(strings.Fields(string(out)), " ")
}
