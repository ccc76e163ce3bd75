package sqlstore

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/escalate-project/escalate"
)

// LearningThemeList returns the themes partnership partnershipID's Business
// Manager keeps, in alphabetical order. The learning pages check who asks.
func (db *DB) LearningThemeList(ctx context.Context, partnershipID int64) ([]escalate.LearningTheme, error) {
	out, err := learningThemes(ctx, db.db, partnershipID)
	return out, WrapError(err)
}

func learningThemes(ctx context.Context, q querier, partnershipID int64) ([]escalate.LearningTheme, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, name FROM learning_themes WHERE partnership_id = $1 ORDER BY name_key, id`, partnershipID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []escalate.LearningTheme
	for rows.Next() {
		var t escalate.LearningTheme
		if err := rows.Scan(&t.ID, &t.Name); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// AddLearningTheme adds a theme to the actor's partnership's list. Only the
// Business Manager may; a theme already listed, in any case, is refused
// with a field error naming it.
func (db *DB) AddLearningTheme(ctx context.Context, name string) (*escalate.LearningTheme, error) {
	var out *escalate.LearningTheme
	err := db.WithTx(ctx, func(tx *Tx) error {
		u, err := tx.oversightActor(ctx)
		if err != nil {
			return err
		}
		if err := onlyBusinessManager(u); err != nil {
			return err
		}
		name, err := escalate.CheckThemeName(name)
		if err != nil {
			return err
		}
		themes, err := learningThemes(ctx, tx, u.PartnershipID)
		if err != nil {
			return err
		}
		if t, ok := escalate.MatchTheme(themes, name); ok {
			return escalate.FieldErrorf("theme", "%q is already on the list.", t.Name)
		}
		t := &escalate.LearningTheme{Name: name}
		if err := tx.queryRow(`INSERT INTO learning_themes (partnership_id, name, name_key, created_by, created)
			VALUES ($1, $2, $3, $4, $5) RETURNING id`, u.PartnershipID, name, escalate.ThemeKey(name), u.ID,
			timeArg(tx.now)).Scan(&t.ID); err != nil {
			return err
		}
		out = t
		return tx.Audit(fmt.Sprintf("user:%d", u.ID), escalate.ActionLearningThemeAdd, fmt.Sprintf("theme:%d", t.ID),
			map[string]any{"name": name})
	})
	return out, err
}

// RemoveLearningTheme takes theme id off the actor's partnership's list.
// Items already given the theme keep it, and the report still counts them
// under it. Only the Business Manager may; another partnership's theme is
// not found.
func (db *DB) RemoveLearningTheme(ctx context.Context, id int64) error {
	return db.WithTx(ctx, func(tx *Tx) error {
		u, err := tx.oversightActor(ctx)
		if err != nil {
			return err
		}
		if err := onlyBusinessManager(u); err != nil {
			return err
		}
		var name string
		err = tx.queryRow(`SELECT name FROM learning_themes WHERE id = $1 AND partnership_id = $2`, id, u.PartnershipID).Scan(&name)
		if notFound(WrapError(err)) {
			return escalate.Errorf(escalate.ENOTFOUND, "There is no such theme.")
		} else if err != nil {
			return err
		}
		if _, err := tx.exec(`DELETE FROM learning_themes WHERE id = $1`, id); err != nil {
			return err
		}
		return tx.Audit(fmt.Sprintf("user:%d", u.ID), escalate.ActionLearningThemeRemove, fmt.Sprintf("theme:%d", id),
			map[string]any{"name": name})
	})
}

// themeFor checks an item's new theme against the partnership's list: ""
// stays "", a listed theme in any case becomes the list's spelling, and
// the item's current theme may stay as it is (an item themed before the
// list existed). Anything else is refused.
func (tx *Tx) themeFor(partnershipID int64, current, theme string) (string, error) {
	if strings.TrimSpace(theme) == "" {
		return "", nil
	}
	themes, err := learningThemes(tx.ctx, tx, partnershipID)
	if err != nil {
		return "", err
	}
	if t, ok := escalate.MatchTheme(themes, theme); ok {
		return t.Name, nil
	}
	if escalate.ThemeKey(theme) == escalate.ThemeKey(current) {
		return current, nil
	}
	if len(themes) == 0 {
		return "", escalate.FieldErrorf("theme", "There are no themes yet: add %q to the list of themes first.", strings.TrimSpace(theme))
	}
	return "", escalate.FieldErrorf("theme", "Choose a theme from the list, or add %q to the list of themes first.", strings.TrimSpace(theme))
}

// countThemes groups counts by theme without regard to case: a theme on the
// list is counted under the list's spelling, any other under its first
// spelling in alphabetical order, so the same rows always give the same
// labels.
func countThemes(themes []escalate.LearningTheme, labels map[string]int) map[string]int {
	spell := map[string]string{}
	keys := make([]string, 0, len(labels))
	for l := range labels {
		keys = append(keys, l)
	}
	slices.Sort(keys)
	for _, l := range keys {
		if t, ok := escalate.MatchTheme(themes, l); ok {
			spell[escalate.ThemeKey(l)] = t.Name
		} else if _, seen := spell[escalate.ThemeKey(l)]; !seen {
			spell[escalate.ThemeKey(l)] = strings.TrimSpace(l)
		}
	}
	out := map[string]int{}
	for l, n := range labels {
		out[spell[escalate.ThemeKey(l)]] += n
	}
	return out
}
