package calendar

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
)

// ParseError is a problem in a holidays file, with the line and column
// (1-based, in bytes) where it was found, or 0 when there is no position.
type ParseError struct {
	Line, Col int
	Msg       string
}

// Error formats the problem as "line:col: message", ready to be prefixed with
// a file name.
func (e *ParseError) Error() string {
	if e.Line == 0 {
		return e.Msg
	}
	return fmt.Sprintf("%d:%d: %s", e.Line, e.Col, e.Msg)
}

// govukEvent is one event of the GOV.UK bank-holidays.json feed.
type govukEvent struct {
	Title   string `json:"title"`
	Date    string `json:"date"`
	Notes   string `json:"notes"`
	Bunting bool   `json:"bunting"`
}

// ParseGOVUK reads the GOV.UK bank-holidays.json format
// (https://www.gov.uk/bank-holidays.json): an object keyed by division, each
// holding "division" and "events" with "title", "date" (YYYY-MM-DD), "notes"
// and "bunting". It returns each division's holidays sorted by date. Errors
// are *ParseError values naming the line and column of the problem.
func ParseGOVUK(r io.Reader) (map[string][]Holiday, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	p := &govukParser{data: data, dec: json.NewDecoder(bytes.NewReader(data))}
	out, err := p.parse()
	if err != nil {
		return nil, err
	}
	return out, nil
}

type govukParser struct {
	data []byte
	dec  *json.Decoder
}

// errAt builds a ParseError at byte offset off, skipping the white space,
// commas and colons the decoder has not consumed yet so the position points
// at the value itself.
func (p *govukParser) errAt(off int64, format string, args ...any) error {
	off = p.skip(off)
	line, col := 1, 1
	for _, b := range p.data[:min(off, int64(len(p.data)))] {
		if b == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return &ParseError{Line: line, Col: col, Msg: fmt.Sprintf(format, args...)}
}

// wrap turns a decoder error into a positioned ParseError.
func (p *govukParser) wrap(err error, off int64) error { return p.wrapAs(err, off, "each event") }

// wrapAs is wrap naming what was being read when the error has no field.
func (p *govukParser) wrapAs(err error, off int64, what string) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return p.errAt(se.Offset-1, "not valid JSON: %s", se.Error())
	case errors.As(err, &te):
		return p.errAt(off, "%s should be a JSON %s, not %s", fieldName(te.Field, what), jsonKind(te.Type.Kind()), te.Value)
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return p.errAt(int64(len(p.data)), "unexpected end of file")
	}
	return p.errAt(off, "%v", err)
}

func fieldName(f, what string) string {
	if f == "" {
		return what
	}
	return fmt.Sprintf("%q", f)
}

// jsonKind names a Go kind the way JSON names it.
func jsonKind(k reflect.Kind) string {
	switch k {
	case reflect.Struct, reflect.Map:
		return "object"
	case reflect.Slice, reflect.Array:
		return "array"
	case reflect.Bool:
		return "true or false"
	case reflect.String:
		return "string"
	}
	return "number"
}

// decode reads the next value into v. After Token calls, the offset of a
// syntax error inside Decode counts only the bytes Decode itself scanned, so
// the value is scanned again on its own to place the error in the file.
func (p *govukParser) decode(v any, what string) error {
	off := p.skip(p.dec.InputOffset())
	err := p.dec.Decode(v)
	if err == nil {
		return nil
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		var raw json.RawMessage
		err2 := json.NewDecoder(bytes.NewReader(p.data[off:])).Decode(&raw)
		if errors.As(err2, &se) {
			return p.errAt(off+se.Offset-1, "not valid JSON: %s", se.Error())
		}
	}
	return p.wrapAs(err, off, what)
}

// skip returns the offset of the first byte at or after off that is not
// white space or a separator the decoder has yet to consume.
func (p *govukParser) skip(off int64) int64 {
	off = max(off, 0)
	for off < int64(len(p.data)) && strings.IndexByte(" \t\r\n,:", p.data[off]) >= 0 {
		off++
	}
	return off
}

// delim reads the next token, which must be the delimiter want.
func (p *govukParser) delim(want json.Delim, what string) error {
	off := p.dec.InputOffset()
	tok, err := p.dec.Token()
	if err != nil {
		return p.wrap(err, off)
	}
	if d, ok := tok.(json.Delim); !ok || d != want {
		return p.errAt(off, "%s should be a JSON %s", what, map[json.Delim]string{'{': "object", '[': "array"}[want])
	}
	return nil
}

// key reads an object key.
func (p *govukParser) key() (string, int64, error) {
	off := p.dec.InputOffset()
	tok, err := p.dec.Token()
	if err != nil {
		return "", off, p.wrap(err, off)
	}
	return tok.(string), off, nil
}

func (p *govukParser) parse() (map[string][]Holiday, error) {
	if len(bytes.TrimSpace(p.data)) == 0 {
		return nil, &ParseError{Msg: "empty file: want the GOV.UK bank-holidays.json format"}
	}
	if err := p.delim('{', "the file"); err != nil {
		return nil, err
	}
	out := map[string][]Holiday{}
	for p.dec.More() {
		div, off, err := p.key()
		if err != nil {
			return nil, err
		}
		if err := checkDivision(div); err != nil {
			return nil, p.errAt(off, "%v: want one of %s", err, strings.Join(Divisions(), ", "))
		}
		if _, dup := out[div]; dup {
			return nil, p.errAt(off, "division %q appears twice", div)
		}
		hs, err := p.division(div)
		if err != nil {
			return nil, err
		}
		sortHolidays(hs)
		out[div] = hs
	}
	if _, err := p.dec.Token(); err != nil { // the closing brace
		return nil, p.wrap(err, p.dec.InputOffset())
	}
	if off := p.dec.InputOffset(); len(bytes.TrimSpace(p.data[off:])) != 0 {
		return nil, p.errAt(off, "unexpected data after the end of the JSON object")
	}
	return out, nil
}

// division reads one division's object: {"division": ..., "events": [...]}.
func (p *govukParser) division(div string) ([]Holiday, error) {
	if err := p.delim('{', fmt.Sprintf("division %q", div)); err != nil {
		return nil, err
	}
	hs := []Holiday{}
	sawEvents := false
	for p.dec.More() {
		k, _, err := p.key()
		if err != nil {
			return nil, err
		}
		switch k {
		case "division":
			var name string
			voff := p.dec.InputOffset()
			if err := p.decode(&name, `"division"`); err != nil {
				return nil, err
			}
			if name != div {
				return nil, p.errAt(voff, "division %q is filed under %q", name, div)
			}
		case "events":
			sawEvents = true
			if hs, err = p.events(div); err != nil {
				return nil, err
			}
		default:
			var skip json.RawMessage // GOV.UK may add fields; they do not matter here
			if err := p.decode(&skip, fmt.Sprintf("%q", k)); err != nil {
				return nil, err
			}
		}
	}
	if _, err := p.dec.Token(); err != nil {
		return nil, p.wrap(err, p.dec.InputOffset())
	}
	if !sawEvents {
		return nil, p.errAt(p.dec.InputOffset()-1, "division %q has no \"events\"", div)
	}
	return hs, nil
}

func (p *govukParser) events(div string) ([]Holiday, error) {
	if err := p.delim('[', fmt.Sprintf("the events of %q", div)); err != nil {
		return nil, err
	}
	var hs []Holiday
	for i := 1; p.dec.More(); i++ {
		off := p.dec.InputOffset()
		var ev govukEvent
		if err := p.decode(&ev, "each event"); err != nil {
			return nil, err
		}
		if ev.Date == "" {
			return nil, p.errAt(off, "%s event %d has no \"date\"", div, i)
		}
		d, err := ParseDate(ev.Date)
		if err != nil {
			return nil, p.errAt(off, "%s event %d: %v", div, i, err)
		}
		title := strings.TrimSpace(ev.Title)
		if title == "" {
			return nil, p.errAt(off, "%s event %d (%s) has no \"title\"", div, i, ev.Date)
		}
		hs = append(hs, Holiday{Date: d, Name: title, Notes: strings.TrimSpace(ev.Notes)})
	}
	if _, err := p.dec.Token(); err != nil {
		return nil, p.wrap(err, p.dec.InputOffset())
	}
	return hs, nil
}
