package escalate

import (
	"strings"
	"unicode/utf8"
)

// LearningTheme is one of the themes the partnership's Business Manager
// keeps for the learning log. A learning item's theme is chosen from this
// list, so the board report counts items of one theme together however
// they were typed.
type LearningTheme struct {
	ID   int64
	Name string
}

// Learning theme audit actions.
const (
	ActionLearningThemeAdd    = "learning.theme.add"
	ActionLearningThemeRemove = "learning.theme.remove"
)

// ThemeKey is how themes are matched: without regard to case or to spaces
// at either end, so "Thresholds" and " thresholds" are one theme.
func ThemeKey(name string) string { return strings.ToLower(strings.TrimSpace(name)) }

// CheckThemeName trims name and says what is wrong with it as a theme, if
// anything.
func CheckThemeName(name string) (string, error) {
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		return name, FieldErrorf("theme", "Enter the theme, for example \"Thresholds\".")
	case utf8.RuneCountInString(name) > maxLearningTheme:
		return name, FieldErrorf("theme", "Keep the theme to %d characters or fewer: it is a short label.", maxLearningTheme)
	}
	return name, nil
}

// MatchTheme returns the theme of themes that name means, ignoring case,
// or false when the list has none.
func MatchTheme(themes []LearningTheme, name string) (LearningTheme, bool) {
	k := ThemeKey(name)
	for _, t := range themes {
		if ThemeKey(t.Name) == k {
			return t, true
		}
	}
	return LearningTheme{}, false
}
