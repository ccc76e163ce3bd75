package main

import (
	"flag"
	"net/netip"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/web"
)

// authFlags is the sign-in part of serve's configuration besides single
// sign-on: which reverse proxies may name the client. See doc/web.md,
// "Throttling" and "Reverse proxies".
type authFlags struct {
	TrustedProxies string
	trusted        []netip.Prefix
}

func (a *authFlags) register(env *Env, fs *flag.FlagSet) {
	fs.StringVar(&a.TrustedProxies, "trusted-proxies", envValue(env, "ESCALATE_TRUSTED_PROXIES"),
		"comma-separated CIDRs of the reverse proxies whose X-Forwarded-For names the client, e.g. 10.0.0.0/8 ($ESCALATE_TRUSTED_PROXIES)")
}

// check parses the CIDRs; a bad one is a usage error.
func (a *authFlags) check() error {
	p, err := web.ParseTrustedProxies(a.TrustedProxies)
	if err != nil {
		return usagef("--trusted-proxies: %s", escalate.ErrorMessage(err))
	}
	a.trusted = p
	return nil
}
