package main

import (
	"flag"
	"fmt"
	"net/netip"
	"os"
	"strconv"
	"strings"

	"github.com/escalate-project/escalate"
	"github.com/escalate-project/escalate/sqlstore"
	"github.com/escalate-project/escalate/web"
)

// authFlags is the sign-in part of serve's configuration besides single
// sign-on: which reverse proxies may name the client. See doc/web.md,
// "Throttling" and "Reverse proxies".
type authFlags struct {
	TrustedProxies string
	// HashConcurrency bounds the password hashes at once (0: the CPUs, 2
	// to 8), and so the memory they take: 19 MiB each.
	HashConcurrency int
	trusted         []netip.Prefix
	getenv          func(string) string // for the providers' secrets
}

func (a *authFlags) register(env *Env, fs *flag.FlagSet) {
	a.getenv = env.Getenv
	fs.StringVar(&a.TrustedProxies, "trusted-proxies", envValue(env, "ESCALATE_TRUSTED_PROXIES"),
		"comma-separated CIDRs of the reverse proxies whose X-Forwarded-For names the client, e.g. 10.0.0.0/8 ($ESCALATE_TRUSTED_PROXIES)")
	n, _ := strconv.Atoi(envValue(env, "ESCALATE_HASH_CONCURRENCY"))
	fs.IntVar(&a.HashConcurrency, "hash-concurrency", n,
		"password hashes at once, 19 MiB each; more wait briefly, then get 503 (default: the CPUs, 2 to 8) ($ESCALATE_HASH_CONCURRENCY)")
}

// check parses the CIDRs; a bad one is a usage error.
func (a *authFlags) check() error {
	p, err := web.ParseTrustedProxies(a.TrustedProxies)
	if err != nil {
		return usagef("--trusted-proxies: %s", escalate.ErrorMessage(err))
	}
	a.trusted = p
	switch {
	case a.HashConcurrency < 0 || a.HashConcurrency > 256:
		return usagef("--hash-concurrency %d: want 1 to 256, or 0 for the default", a.HashConcurrency)
	case a.HashConcurrency > 0:
		sqlstore.SetHashLimit(a.HashConcurrency, sqlstore.DefaultHashQueue)
	}
	return nil
}

// providers is the web's configuration of the partnerships' sign-in
// providers (escalate sso add), whose client secrets are read where each
// provider's reference says: env:NAME from serve's environment, or
// file:/path (first line).
func (a *authFlags) providers(db *sqlstore.DB) *web.ProviderConfig {
	return &web.ProviderConfig{Store: db, Secret: func(ref string) (string, error) {
		switch {
		case strings.HasPrefix(ref, "env:"):
			name := strings.TrimPrefix(ref, "env:")
			v := ""
			if a.getenv != nil {
				v = a.getenv(name)
			}
			if v == "" {
				return "", fmt.Errorf("the environment variable %s is not set", name)
			}
			return v, nil
		case strings.HasPrefix(ref, "file:"):
			b, err := os.ReadFile(strings.TrimPrefix(ref, "file:"))
			if err != nil {
				return "", err
			}
			line, _, _ := strings.Cut(string(b), "\n")
			if line = strings.TrimSpace(line); line == "" {
				return "", fmt.Errorf("the secret file %s is empty", strings.TrimPrefix(ref, "file:"))
			}
			return line, nil
		}
		return "", fmt.Errorf("unknown secret reference")
	}}
}
