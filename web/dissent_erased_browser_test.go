package web_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/calendar"
	"github.com/escalate-project/escalate/sqlstore"
)

// TestE2EDissentErased: six years after Surrey's demo dissents closed, the
// retention job erases them (class conference-dissents: the row is
// de-identified, its steps deleted). The Business Manager and the
// conference chair who recorded one find it from the header's link: the
// list and the page say it was erased under the retention schedule and
// when, with no empty sections, checked with axe-core at 1280 and 375 px.
func TestE2EDissentErased(t *testing.T) {
	w := newWalk(t, "surrey")
	w.clock.add(time.Duration(6*366+60) * 24 * time.Hour)
	run, err := w.db.RunRetention(sqlstore.WithActor(context.Background(), "system"),
		escalate.RetentionOptions{PartnershipID: w.part.ID})
	if err != nil {
		t.Fatal(err)
	}
	var ref, day string
	for _, it := range run.Items {
		if it.Class == escalate.RetainConferenceDissents && !it.Held {
			ref, day = strings.TrimPrefix(it.Object, "dissent:"), it.At.In(calendar.London).Format("Mon 2 Jan 2006")
		}
	}
	if ref == "" {
		t.Fatalf("the retention job erased no dissent of the demo: %+v", run.Items)
	}

	for i, who := range []escalate.Role{escalate.RoleBusinessManager, escalate.RoleConferenceChair} {
		w.signIn(w.email(who, ""))
		w.run(click(`header a[href="/dissents"]`), waitH1("Conference dissents"))
		row := `main tbody tr:has(a[href="/dissents/` + ref + `"])`
		if got := w.text(row); !strings.Contains(got, "Erased under the retention schedule on "+day) {
			t.Errorf("%s: the list's row for %s reads %q", who, ref, got)
		}
		if i == 0 {
			w.check("dissents-list-erased")
		}
		w.run(click(row+` a`), waitH1(ref))
		if got := w.text("#erased"); !strings.Contains(got, "This dissent was erased under the retention schedule on "+day+".") {
			t.Errorf("%s: the erased banner reads %q", who, got)
		}
		main := w.text("main")
		if !strings.Contains(main, "Every step recorded on this dissent was erased with it on "+day+".") ||
			strings.Contains(main, "What you can do") || !strings.Contains(main, "Dissenting agency") {
			t.Errorf("%s: the erased dissent's page reads %q", who, main)
		}
		// No section or row is left empty where the erased text was.
		var empty []string
		w.run(chromedp.Evaluate(`[...document.querySelectorAll("main dd, main ol, main li, main dl")]
			.filter(e => e.textContent.trim() === "").map(e => e.outerHTML)`, &empty))
		if len(empty) != 0 {
			t.Errorf("%s: empty elements on the erased dissent's page: %q", who, empty)
		}
		if i == 0 {
			w.check("dissent-erased")
		} else {
			w.check("")
		}
		w.signOut()
	}
}
