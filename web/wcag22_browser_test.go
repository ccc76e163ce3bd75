package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// checkWidths are the widths every page is checked at: a laptop's and a
// phone's.
var checkWidths = []int64{1280, 375}

// wcag22JS checks two WCAG 2.2 AA success criteria axe-core does not
// cover, on the page as it stands, and returns what fails:
//   - 2.5.8 Target Size (Minimum): every button, form control and
//     summary, and every link that is not inline in a sentence, is at
//     least 24 by 24 CSS pixels, or has 24 pixels of room around its
//     centre free of other targets (the spacing exception);
//   - 2.4.11 Focus Not Obscured (Minimum): each focusable element, once
//     focused (which scrolls it into view), is not entirely hidden by
//     content the author put over it (a sticky or fixed header, a
//     banner): some part of it is the topmost thing on the screen.
const wcag22JS = `(() => {
  const out = [];
  const visible = e => { const r = e.getBoundingClientRect(); const s = getComputedStyle(e);
    return r.width > 0 && r.height > 0 && s.visibility !== "hidden" && s.display !== "none"; };
  const name = e => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + " " + (e.textContent || e.value || "").trim().slice(0, 40);
  // With a modal dialog open the page behind it is inert: no target.
  const scope = document.querySelector("dialog:modal") || document;
  const targets = Array.from(scope.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button]')).filter(visible);
  const rects = targets.map(e => e.getBoundingClientRect());
  targets.forEach((e, i) => {
    const r = rects[i];
    if (r.width >= 24 && r.height >= 24) return;
    // Inline: a link in a sentence or a list item's text is exempt.
    const display = getComputedStyle(e).display;
    if (e.tagName === "A" && display === "inline") return;
    // A GOV.UK radio or checkbox input is drawn over its 40px box.
    if (e.type === "radio" || e.type === "checkbox") return;
    const cx = r.left + r.width / 2, cy = r.top + r.height / 2;
    const crowded = rects.some((o, j) => j !== i && !targets[j].contains(e) && !e.contains(targets[j]) &&
      Math.max(o.left - cx, 0, cx - o.right) ** 2 + Math.max(o.top - cy, 0, cy - o.bottom) ** 2 < 12 * 12);
    if (crowded) out.push("2.5.8 target " + Math.round(r.width) + "x" + Math.round(r.height) + " with another target within 24px: " + name(e));
  });
  const focusable = Array.from(scope.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]:not([tabindex="-1"])')).filter(visible);
  const before = document.activeElement;
  for (const e of focusable) {
    e.focus({ preventScroll: false });
    if (document.activeElement !== e) continue;
    const r = e.getBoundingClientRect();
    const pts = [[r.left + r.width / 2, r.top + r.height / 2], [r.left + 2, r.top + 2], [r.right - 2, r.top + 2],
      [r.left + 2, r.bottom - 2], [r.right - 2, r.bottom - 2]];
    const seen = pts.some(([x, y]) => {
      if (x < 0 || y < 0 || x >= innerWidth || y >= innerHeight) return false;
      const top = document.elementFromPoint(x, y);
      // The element itself, its label, or something inside it (a radio's
      // styled box) is on top.
      return top && (top === e || e.contains(top) || top.contains(e) || (e.labels && Array.from(e.labels).some(l => l === top || l.contains(top))));
    });
    if (!seen) out.push("2.4.11 focus hidden: " + name(e));
  }
  if (before && before.focus) before.focus();
  window.scrollTo(0, 0);
  return out;
})()`

// a11yCheck runs axe-core (WCAG 2.2 A and AA) and wcag22JS on the page at
// each of checkWidths, failing t on anything found, then puts the window
// back to the size it was. shot, if set, is called at each width to save
// a screenshot.
func a11yCheck(t *testing.T, ctx context.Context, axe, where string, shot func(width int64)) {
	t.Helper()
	var w, h int64
	if err := chromedp.Run(ctx, chromedp.Evaluate(`window.innerWidth`, &w), chromedp.Evaluate(`window.innerHeight`, &h)); err != nil {
		t.Fatalf("%s: %v", where, err)
	}
	defer func() {
		if err := chromedp.Run(ctx, chromedp.EmulateViewport(w, h), settle); err != nil {
			t.Errorf("%s: %v", where, err)
		}
	}()
	tags, _ := json.Marshal(axeTags)
	for _, width := range checkWidths {
		var kind string
		var violations []axeViolation
		var wcag []string
		err := chromedp.Run(ctx, chromedp.EmulateViewport(width, 800), emulation.SetEmulatedMedia().WithMedia(""),
			// As if the window had the keyboard's focus, so that :focus
			// styles (the skip link's) apply in a headless browser.
			emulation.SetFocusEmulationEnabled(true), settle,
			chromedp.Evaluate(`typeof axe`, &kind))
		if err == nil && kind != "object" {
			var loaded bool
			err = chromedp.Run(ctx, chromedp.Evaluate(axe+";true", &loaded))
		}
		if err == nil {
			err = chromedp.Run(ctx, chromedp.Evaluate(fmt.Sprintf(
				`axe.run(document, {runOnly: {type: "tag", values: %s}}).then(r => r.violations)`, tags),
				&violations, func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }),
				chromedp.Evaluate(wcag22JS, &wcag))
		}
		if err != nil {
			t.Fatalf("%s at %d px: %v", where, width, err)
		}
		for _, v := range violations {
			var nodes []string
			for _, n := range v.Nodes {
				nodes = append(nodes, fmt.Sprintf("%v %s", n.Target, n.HTML))
			}
			t.Errorf("%s at %d px: axe %s (%s): %s\n\t%s", where, width, v.ID, v.Impact, v.Help, strings.Join(nodes, "\n\t"))
		}
		for _, f := range wcag {
			t.Errorf("%s at %d px: WCAG %s", where, width, f)
		}
		// WCAG 1.4.10 (reflow): the page itself never scrolls sideways; a
		// wide table scrolls inside its own region (.app-table-scroll).
		var scrollW, clientW int64
		if err := chromedp.Run(ctx, chromedp.Evaluate(`document.documentElement.scrollWidth`, &scrollW),
			chromedp.Evaluate(`document.documentElement.clientWidth`, &clientW)); err != nil {
			t.Fatalf("%s at %d px: %v", where, width, err)
		}
		if scrollW > clientW {
			var wide []string // the first few elements that stick out, to say where
			_ = chromedp.Run(ctx, chromedp.Evaluate(`[...document.querySelectorAll("body *")].filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1).slice(0, 5).map(e => e.tagName + "." + e.className)`, &wide))
			t.Errorf("%s at %d px: WCAG 1.4.10: the page scrolls sideways (%d px wide in a %d px window): %q", where, width, scrollW, clientW, wide)
		}
		if shot != nil {
			shot(width)
		}
	}
}

// settle waits two frames after the window changes size, so that what the
// page's script does on the change (the service navigation folding into
// its Menu button, or unfolding) is done before the page is checked or
// clicked: a click on a link that moves between the press and the release
// is no click.
var settle = chromedp.ActionFunc(func(ctx context.Context) error {
	var ok bool
	return chromedp.Evaluate(`new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))`, &ok,
		func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }).Do(ctx)
})

// viewport sets the window's size and settles, so that the next click
// lands where the laid-out page has its target.
func viewport(width, height int64) chromedp.Action {
	return chromedp.Tasks{chromedp.EmulateViewport(width, height), settle}
}
