package web_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// testProvider is a small but real OpenID Connect provider on loopback:
// discovery, a JWKS with an RSA key, an authorization endpoint that signs
// everyone in at once and redirects back with a code, and a token endpoint
// that checks the client, the redirect URI and the PKCE verifier before it
// returns an RS256-signed ID token.
type testProvider struct {
	ts       *httptest.Server
	key      *rsa.PrivateKey
	clientID string
	secret   string

	mu sync.Mutex
	// Who signs in: the ID token's sub, email and email_verified.
	sub, email    string
	emailVerified bool
	// edit, if set, changes the claims of the next ID tokens.
	edit      func(claims map[string]any)
	codes     map[string]authRequest
	authorize []url.Values // every authorization request's query
	refusals  []string     // why /token refused, in order
}

// authRequest is what /authorize remembers of a request until its code is
// redeemed.
type authRequest struct{ clientID, redirect, nonce, challenge string }

func newTestProvider(t *testing.T, clientID, secret string) *testProvider {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	p := &testProvider{key: key, clientID: clientID, secret: secret, codes: map[string]authRequest{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", p.discovery)
	mux.HandleFunc("GET /jwks", p.jwks)
	mux.HandleFunc("GET /authorize", p.authorizeHandler)
	mux.HandleFunc("POST /token", p.token)
	p.ts = httptest.NewServer(mux)
	t.Cleanup(p.ts.Close)
	return p
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func (p *testProvider) discovery(w http.ResponseWriter, r *http.Request) {
	u := p.ts.URL
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                u,
		"authorization_endpoint":                u + "/authorize",
		"token_endpoint":                        u + "/token",
		"jwks_uri":                              u + "/jwks",
		"response_types_supported":              []string{"code"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"code_challenge_methods_supported":      []string{"S256"},
	})
}

func (p *testProvider) jwks(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{
		{Key: &p.key.PublicKey, KeyID: "test-key", Algorithm: string(jose.RS256), Use: "sig"},
	}})
}

// authorizeHandler signs the person in without asking and sends them back.
func (p *testProvider) authorizeHandler(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	p.mu.Lock()
	defer p.mu.Unlock()
	p.authorize = append(p.authorize, q)
	if q.Get("response_type") != "code" || q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" {
		http.Error(w, "want response_type=code with an S256 code challenge", http.StatusBadRequest)
		return
	}
	code := rand.Text()
	p.codes[code] = authRequest{clientID: q.Get("client_id"), redirect: q.Get("redirect_uri"),
		nonce: q.Get("nonce"), challenge: q.Get("code_challenge")}
	back, err := url.Parse(q.Get("redirect_uri"))
	if err != nil {
		http.Error(w, "bad redirect_uri", http.StatusBadRequest)
		return
	}
	bq := back.Query()
	bq.Set("code", code)
	bq.Set("state", q.Get("state"))
	back.RawQuery = bq.Encode()
	http.Redirect(w, r, back.String(), http.StatusFound)
}

// token redeems a code once, as RFC 6749 and RFC 7636 say.
func (p *testProvider) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	refuse := func(code, why string) {
		p.refusals = append(p.refusals, why)
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": code})
	}
	id, secret, ok := r.BasicAuth()
	if ok {
		id, _ = url.QueryUnescape(id)
		secret, _ = url.QueryUnescape(secret)
	} else {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	if id != p.clientID || secret != p.secret {
		refuse("invalid_client", "client")
		return
	}
	code := r.PostForm.Get("code")
	req, ok := p.codes[code]
	delete(p.codes, code)
	switch {
	case r.PostForm.Get("grant_type") != "authorization_code" || !ok:
		refuse("invalid_grant", "code")
		return
	case req.clientID != id || req.redirect != r.PostForm.Get("redirect_uri"):
		refuse("invalid_grant", "redirect_uri")
		return
	}
	sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
	if base64.RawURLEncoding.EncodeToString(sum[:]) != req.challenge {
		refuse("invalid_grant", "pkce")
		return
	}
	now := time.Now()
	claims := map[string]any{
		"iss": p.ts.URL, "sub": p.sub, "aud": p.clientID, "iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix(),
		"nonce": req.nonce, "email": p.email, "email_verified": p.emailVerified,
	}
	if p.edit != nil {
		p.edit(claims)
	}
	raw, err := p.sign(claims)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"access_token": rand.Text(), "token_type": "Bearer",
		"expires_in": 300, "id_token": raw})
}

func (p *testProvider) sign(claims map[string]any) (string, error) {
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: p.key},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", "test-key"))
	if err != nil {
		return "", err
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		return "", err
	}
	return jws.CompactSerialize()
}

// set changes who signs in next.
func (p *testProvider) set(sub, email string, verified bool, edit func(map[string]any)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.sub, p.email, p.emailVerified, p.edit = sub, email, verified, edit
}

func (p *testProvider) lastAuthorize() url.Values {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.authorize) == 0 {
		return nil
	}
	return p.authorize[len(p.authorize)-1]
}

func (p *testProvider) refusalList() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return strings.Join(p.refusals, ",")
}
