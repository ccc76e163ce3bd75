package web

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
)

// sealer encrypts and authenticates the pre-auth cookie with AES-256-GCM:
// the browser can neither read the PKCE verifier nor change the state or
// nonce it holds.
type sealer struct{ aead cipher.AEAD }

func newSealer(key []byte) (*sealer, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &sealer{aead}, nil
}

// additional binds a sealed value to its use.
var additional = []byte("escalate oidc pre-auth")

func (s *sealer) seal(v any) (string, error) {
	plain, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	nonce := make([]byte, s.aead.NonceSize())
	rand.Read(nonce)
	return base64.RawURLEncoding.EncodeToString(s.aead.Seal(nonce, nonce, plain, additional)), nil
}

func (s *sealer) open(sealed string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(sealed)
	if err != nil {
		return err
	}
	n := s.aead.NonceSize()
	if len(b) < n {
		return errors.New("sealed value too short")
	}
	plain, err := s.aead.Open(nil, b[:n], b[n:], additional)
	if err != nil {
		return err
	}
	return json.Unmarshal(plain, v)
}
