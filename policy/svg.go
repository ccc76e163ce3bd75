package policy

import (
	"fmt"
	"html"
	"io"
	"strings"

	"github.com/escalate-project/escalate"
)

// The flowchart's geometry, in SVG user units. Text is 16 units high and
// the chart is meant to be shown at least 640 CSS pixels wide, so that at
// 200% zoom the text is still as large as the page's body text.
const (
	svgWidth    = 760
	svgFont     = 16
	svgLine     = 20  // line height
	svgCharW    = 8.6 // a generous average width of an Arial character
	svgPad      = 12  // inside a box
	mainX       = 40  // the main column: start, question, stages
	mainW       = 400
	sideX       = 560 // the side column: immediate route, outcomes
	sideW       = 180
	redirectGap = 28
)

// FlowchartSVG writes p's process as an accessible SVG flowchart, the same
// one Mermaid describes: the immediate-risk route first, each stage with who
// acts, arrows labelled with the timescale after which the disagreement
// moves up, each stage's outcome, and the matters redirected out of the
// process. id prefixes the ids of its <title> and <desc>, which must be
// unique in the page. The <desc> says in words everything the picture shows.
func FlowchartSVG(w io.Writer, p *escalate.Policy, id string) error {
	c := &chart{p: p}
	c.draw()
	name := p.Name
	if name == "" {
		name = p.ID
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="app-flowchart" viewBox="0 0 %d %d" role="img" aria-labelledby="%s-title %s-desc" font-family="Arial, sans-serif" font-size="%d">`+"\n",
		svgWidth, c.y+20, id, id, svgFont)
	fmt.Fprintf(&b, "<title id=\"%s-title\">%s</title>\n", id, esc("Flowchart of "+name+"'s escalation process"))
	fmt.Fprintf(&b, "<desc id=\"%s-desc\">%s</desc>\n", id, esc(strings.Join(c.desc, " ")))
	b.WriteString(`<defs><marker id="` + id + `-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#0b0c0c"/></marker></defs>` + "\n")
	for _, s := range c.out {
		b.WriteString(strings.ReplaceAll(s, "ARROW", id+"-arrow"))
		b.WriteByte('\n')
	}
	b.WriteString("</svg>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// chart lays the flowchart out top to bottom; y is where the next thing
// goes.
type chart struct {
	p    *escalate.Policy
	y    int
	out  []string
	desc []string
}

func esc(s string) string { return html.EscapeString(s) }

// wrap breaks text into lines of at most width units.
func wrap(text string, width int) []string {
	max := int(float64(width-2*svgPad) / svgCharW)
	var lines []string
	cur := ""
	for _, word := range strings.Fields(text) {
		switch {
		case cur == "":
			cur = word
		case len([]rune(cur))+1+len([]rune(word)) > max:
			lines = append(lines, cur)
			cur = word
		default:
			cur += " " + word
		}
	}
	if cur != "" {
		lines = append(lines, cur)
	}
	return lines
}

// box draws a box of width w at (x, y) around the paragraphs, the first
// in bold when bold is set, and returns its height. style is "start",
// "stage", "urgent", "outcome" or "redirect".
func (c *chart) box(x, y, w int, style string, bold bool, paras ...string) int {
	var lines []string
	firstLines := 0
	for i, p := range paras {
		ls := wrap(p, w)
		if i == 0 {
			firstLines = len(ls)
		}
		lines = append(lines, ls...)
	}
	h := len(lines)*svgLine + 2*svgPad
	attrs := `fill="#ffffff" stroke="#0b0c0c" stroke-width="2"`
	switch style {
	case "start":
		attrs += ` rx="24"`
	case "urgent":
		attrs = `fill="#fbe9e7" stroke="#d4351c" stroke-width="4"`
	case "outcome":
		attrs = `fill="#e8f1f8" stroke="#0b0c0c" stroke-width="2" rx="24"`
	case "redirect":
		attrs += ` stroke-dasharray="6 4"`
	case "stage":
		attrs = `fill="#f3f2f1" stroke="#0b0c0c" stroke-width="2"`
	}
	c.out = append(c.out, fmt.Sprintf(`<rect x="%d" y="%d" width="%d" height="%d" %s/>`, x, y, w, h, attrs))
	c.text(x+svgPad, y+svgPad, lines, bold, firstLines)
	return h
}

// text writes lines from (x, y) down; the first nBold lines are bold when
// bold is set.
func (c *chart) text(x, y int, lines []string, bold bool, nBold int) {
	var b strings.Builder
	fmt.Fprintf(&b, `<text x="%d" y="%d" fill="#0b0c0c">`, x, y+svgFont-2)
	for i, l := range lines {
		weight := ""
		if bold && i < nBold {
			weight = ` font-weight="bold"`
		}
		dy := svgLine
		if i == 0 {
			dy = 0
		}
		fmt.Fprintf(&b, `<tspan x="%d" dy="%d"%s>%s</tspan>`, x, dy, weight, esc(l))
	}
	b.WriteString("</text>")
	c.out = append(c.out, b.String())
}

// arrow draws a line through the points, ending in an arrowhead.
func (c *chart) arrow(dashed bool, pts ...int) {
	var d strings.Builder
	for i := 0; i+1 < len(pts); i += 2 {
		if i == 0 {
			fmt.Fprintf(&d, "M%d,%d", pts[i], pts[i+1])
		} else {
			fmt.Fprintf(&d, " L%d,%d", pts[i], pts[i+1])
		}
	}
	dash := ""
	if dashed {
		dash = ` stroke-dasharray="6 4"`
	}
	c.out = append(c.out, fmt.Sprintf(`<path d="%s" fill="none" stroke="#0b0c0c" stroke-width="2"%s marker-end="url(#ARROW)"/>`, d.String(), dash))
}

// label writes a wrapped arrow label of the given width at (x, y) and
// returns its height.
func (c *chart) label(x, y, w int, text string) int {
	lines := wrap(text, w+2*svgPad)
	c.text(x, y, lines, false, 0)
	return len(lines) * svgLine
}

func (c *chart) draw() {
	p := c.p
	c.y = 20
	mid := mainX + mainW/2

	h := c.box(mainX, c.y, mainW, "start", false, "A professional disagrees with another agency about a child's safety")
	startMid := c.y + h/2
	c.y += h
	c.arrow(false, mid, c.y, mid, c.y+30)
	c.y += 30

	// The question, as a diamond.
	const dh = 90
	top := c.y
	c.out = append(c.out, fmt.Sprintf(`<polygon points="%d,%d %d,%d %d,%d %d,%d" fill="#ffffff" stroke="#0b0c0c" stroke-width="2"/>`,
		mid, top, mainX+mainW, top+dh/2, mid, top+dh, mainX, top+dh/2))
	c.out = append(c.out, fmt.Sprintf(`<text x="%d" y="%d" text-anchor="middle" font-weight="bold" fill="#0b0c0c">Is the child at immediate risk?</text>`,
		mid, top+dh/2+5))
	c.desc = append(c.desc, "First: is the child at immediate risk?")

	imm := "Protect the child first"
	if len(p.Immediate.Contacts) > 0 {
		imm += ": " + roleList(p, p.Immediate.Contacts, "then")
	}
	when := ""
	if p.Immediate.Within != "" {
		when = upperFirst(TimescaleWords(p.Immediate.Within))
	}
	immH := c.box(sideX, top, sideW, "urgent", true, imm, when)
	c.arrow(false, mainX+mainW, top+dh/2, sideX, top+dh/2)
	c.label(mainX+mainW+10, top+dh/2-24, 100, "yes")
	d := "If yes: " + lowerFirst(imm)
	if when != "" {
		d += ", " + lowerFirst(when)
	}
	c.desc = append(c.desc, d+"; the disagreement then continues.")
	c.y = max(top+dh, top+immH)

	if len(p.Stages) == 0 {
		return
	}
	// "no" straight down; the immediate route rejoins beside it.
	stageTop := c.y + 50
	c.arrow(false, mid, top+dh, mid, stageTop)
	c.label(mid+10, top+dh+6, 60, "no")
	c.arrow(false, sideX+sideW/2, top+immH, sideX+sideW/2, stageTop-20, mid+40, stageTop-20, mid+40, stageTop)
	c.label(mid+110, stageTop-46, 200, "then continue")
	c.y = stageTop

	for i := range p.Stages {
		c.stage(i)
	}
	c.redirects(startMid)
}

// stage draws stage i, its outcome on the right and the arrow to the next.
func (c *chart) stage(i int) {
	p, st := c.p, &c.p.Stages[i]
	mid := mainX + mainW/2
	title := fmt.Sprintf("Stage %d: %s", i+1, st.Name)
	who := roleList(p, st.Raising, "or") + " ↔ " + roleList(p, st.Receive, "or")
	paras := []string{title, upperFirst(who)}
	d := fmt.Sprintf("%s: %s with %s", title, roleList(p, st.Raising, "or"), roleList(p, st.Receive, "or"))
	if m := st.Meeting; m != nil && m.Chair != "" {
		chair := RoleName(p, m.Chair)
		if m.UninvolvedChair {
			chair += " from an uninvolved agency"
		}
		paras = append(paras, "Meeting chaired by "+chair)
		d += ", at a meeting chaired by " + chair
	}
	top := c.y
	h := c.box(mainX, top, mainW, "stage", true, paras...)

	out := "Resolved: outcome confirmed in writing"
	if st.Produces == "determination" || st.Produces == "recommendations" {
		out = upperFirst(st.Produces)
	}
	oh := c.box(sideX, top, sideW, "outcome", false, out)
	y := top + min(h, oh)/2
	c.arrow(false, mainX+mainW, y, sideX, y)
	res := upperFirst(resolvedLabel(st))
	c.label(mainX+mainW+6, y-6-svgLine*len(wrap(res, 124)), 100, res)
	d += ". " + res + ": " + lowerFirst(out) + "."
	c.y = top + max(h, oh)

	if i+1 < len(p.Stages) {
		lbl := upperFirst(escalateLabel(p, st))
		lines := len(wrap(lbl, 200+2*svgPad))
		gap := max(50, lines*svgLine+24)
		c.arrow(false, mid, c.y, mid, c.y+gap)
		c.label(mid+10, c.y+8, 200, lbl)
		d += " " + lbl + ": stage " + fmt.Sprint(i+2) + "."
		c.y += gap
	}
	for _, to := range st.SkipTo {
		if _, k := p.Stage(to); k >= 0 {
			d += fmt.Sprintf(" It may skip to stage %d.", k+1)
		}
	}
	c.desc = append(c.desc, d)
}

// redirects draws the matters that leave the process, each joined by a
// dashed arrow from the start down the left margin.
func (c *chart) redirects(startMid int) {
	p := c.p
	if len(p.Redirects) == 0 {
		return
	}
	c.y += 30
	c.label(mainX, c.y, mainW, "Not for this process: these go elsewhere")
	c.out[len(c.out)-1] = strings.Replace(c.out[len(c.out)-1], `<text `, `<text font-weight="bold" `, 1)
	c.y += svgLine + 10
	const rail = 16
	c.out = append(c.out, fmt.Sprintf(`<path d="M%d,%d L%d,%d" fill="none" stroke="#0b0c0c" stroke-width="2" stroke-dasharray="6 4"/>`,
		mainX, startMid, rail, startMid))
	last := startMid
	var ds []string
	for _, r := range p.Redirects {
		to := r.To
		if to == "" {
			to = RoleName(p, r.Contact)
		}
		h := c.box(mainX, c.y, mainW, "redirect", true, upperFirst(r.Matter), "Goes to "+to)
		last = c.y + h/2
		c.arrow(true, rail, last, mainX, last)
		ds = append(ds, lowerFirst(r.Matter)+" goes to "+to)
		c.y += h + redirectGap
	}
	c.y -= redirectGap
	c.out = append(c.out, fmt.Sprintf(`<path d="M%d,%d L%d,%d" fill="none" stroke="#0b0c0c" stroke-width="2" stroke-dasharray="6 4"/>`,
		rail, startMid, rail, last))
	c.desc = append(c.desc, "Not for this process: "+strings.Join(ds, "; ")+".")
}
