package escalate

import "slices"

// AgencyKind is what sort of organisation an agency is, from a fixed list, so
// that routing rules (Policy.Routing, e.g. H&F's Designated Nurse for a health
// provider) can rely on it: a kind typed freely would silently switch a rule
// off.
type AgencyKind struct {
	Key  string
	Name string
}

// AgencyKinds is the fixed list of agency kinds.
var AgencyKinds = []AgencyKind{
	{"school", "School or college"},
	{"early-years", "Early years or childcare"},
	{"childrens-social-care", "Children's social care"},
	{"local-authority", "Other local authority service"},
	{"police", "Police"},
	{"health-provider", "Health provider (NHS trust, community or mental health)"},
	{"primary-care", "Primary care (GP practice)"},
	{"integrated-care-board", "Integrated care board (health commissioner)"},
	{"probation", "Probation"},
	{"youth-justice", "Youth justice"},
	{"housing", "Housing"},
	{"adult-social-care", "Adult social care"},
	{"voluntary-sector", "Voluntary or community sector"},
	{"partnership", "The partnership's own team"},
	{"other", "Other"},
}

// KnownAgencyKind reports whether k is one of AgencyKinds.
func KnownAgencyKind(k string) bool {
	return slices.ContainsFunc(AgencyKinds, func(a AgencyKind) bool { return a.Key == k })
}

// AgencyKindName returns the words for kind k, or k itself when unknown.
func AgencyKindName(k string) string {
	for _, a := range AgencyKinds {
		if a.Key == k {
			return a.Name
		}
	}
	return k
}

// AgencyKindKeys lists the keys of AgencyKinds, for messages.
func AgencyKindKeys() []string {
	out := make([]string, len(AgencyKinds))
	for i, a := range AgencyKinds {
		out[i] = a.Key
	}
	return out
}
