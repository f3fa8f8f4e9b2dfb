# Feedscope. `make demo` runs the app with live demo data; `make test` runs every check.
# Both install what a fresh Debian/Ubuntu machine lacks (sudo only when not root).

SHELL := /bin/bash
# FyneApp.toml opts into fyneDo; plain go build/test must pass the tag themselves.
TAGS  := migrated_fynedo
GO    ?= go
GOBIN := $(shell $(GO) env GOPATH 2>/dev/null)/bin
BIN   := bin/feedscope
# The headless binary: tail, demo-server… with no Fyne, no cgo, statically linked.
CLI   := bin/feedscope-cli
APT_PACKAGES := gcc pkg-config libgl1-mesa-dev libx11-dev libxcursor-dev libxrandr-dev \
	libxinerama-dev libxi-dev libxxf86vm-dev xvfb xauth imagemagick xdotool dbus-daemon
SUDO  := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
XVFB  := xvfb-run -a -s "-screen 0 1280x800x24"
STATICCHECK := $(GOBIN)/staticcheck
FYNE_TOOL   := $(GOBIN)/fyne

.PHONY: all deps sysdeps godeps build cli demo demo-tail screenshots test vet lint unit smoke fuzz bench bench-ui soak image check-slim package clean

all: build

# --- set-up --------------------------------------------------------------------------
deps: sysdeps godeps

sysdeps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	command -v go >/dev/null 2>&1 || missing="$$missing golang-go"; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

godeps:
	@$(GO) mod download

$(STATICCHECK):
	$(GO) install honnef.co/go/tools/cmd/staticcheck@v0.8.2

$(FYNE_TOOL):
	$(GO) install fyne.io/tools/cmd/fyne@v1.7.4

# --- build and run -------------------------------------------------------------------
build: deps cli
	@echo "building $(BIN) (the first build compiles Fyne's cgo parts: a few minutes)"
	$(GO) build -tags $(TAGS) -o $(BIN) ./cmd/feedscope

# cli needs only Go: no C compiler, no X or GL headers.
cli:
	CGO_ENABLED=0 $(GO) build -tags $(TAGS) -o $(CLI) ./cmd/feedscope-cli

demo: build
	@if [ -n "$$DISPLAY$$WAYLAND_DISPLAY" ]; then ./$(BIN) --demo; \
	else echo "no display: running under Xvfb (screenshots: import -display \$$DISPLAY -window root shot.png)"; \
		$(XVFB) ./$(BIN) --demo; fi

# demo-tail: the headless demo, every dialect to the terminal for 20 s.
demo-tail: cli
	./$(CLI) tail --demo --dialect hypothesis --duration 20s \
		--sub '{"match_policy":"include_any","clauses":[{"field":"/group","operator":"equals","value":"__world__"}],"actions":{"create":true,"update":true,"delete":true}}' & \
	./$(CLI) tail --demo --dialect misskey --duration 20s --sub '{"channel":"localTimeline"}' & \
	./$(CLI) tail --demo --dialect gotham --duration 20s --sub '{}' & \
	./$(CLI) tail --demo --dialect isymphony --duration 20s & \
	./$(CLI) tail --demo --dialect websocket --duration 20s & wait

# screenshots: every screen at 1280×800 and 1920×1080, light and dark, driven
# with xdotool under Xvfb, into docs/polish/SHOTS-SCENE-SIZE-THEME.png (a few
# minutes). SHOTS=before on an older build gives the other half of a comparison;
# SCENES="main map" takes only those. See scripts/screenshots.sh.
SHOTS ?= after
screenshots: build
	@command -v pngquant >/dev/null || echo "pngquant missing: the PNGs stay large (apt-get install pngquant)"
	scripts/screenshots.sh -p $(SHOTS) $(SCENES)

# --- checks --------------------------------------------------------------------------
test: deps vet lint unit

vet:
	$(GO) vet -tags $(TAGS) ./...

lint: $(STATICCHECK)
	$(STATICCHECK) -tags $(TAGS) ./...

# The whole suite under the race detector, inside Xvfb so the smoke test sees a display.
unit:
	@echo "running tests (a cold cgo build of Fyne takes a few minutes first)"
	LANG=en_US.UTF-8 FEEDSCOPE_TAGS=$(TAGS) $(XVFB) $(GO) test -race -tags $(TAGS) -timeout 20m ./...

FUZZTIME ?= 15s
# test-real: the Misskey client against a real Misskey backend built from source
# (MISSKEY_SRC, PostgreSQL, Redis, pnpm); opt-in, loopback only. See README.
test-real: cli
	CLI=$(CLI) internal/realmisskey/run.sh

fuzz:
	@for pkg in $$($(GO) list ./...); do \
		for t in $$($(GO) test -tags $(TAGS) -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
			echo "== $$pkg $$t"; $(GO) test -tags $(TAGS) -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
		done; done

# bench: the Go benchmarks (benchstat-friendly, 3 counts) and the firehose table,
# with wscat from npm as the command-line peer. A few minutes.
bench: build
	@command -v npm >/dev/null 2>&1 && [ -x .bench/node_modules/.bin/wscat ] || \
		(mkdir -p .bench && cd .bench && npm install --no-save --silent wscat@6.1.0) || echo "no npm: the wscat row stays empty"
	$(GO) test -tags $(TAGS) -run '^$$' -bench . -benchmem -count 3 ./internal/firebench ./session ./session/jsonscan ./session/misskey ./session/websocket ./ui
	$(GO) run ./cmd/feedbench --feedscope $(CLI)
	LANG=en_US.UTF-8 $(GO) test -tags $(TAGS) -run TestSixteenProfilesNoStarvation -v -count 1 ./ui | grep -E "combined|FAIL|ok"

# bench-ui: the real window under a 20 000 events/s firehose in Xvfb: input
# latency, repaints per second, update timings, RSS once it has levelled off
# (about two and a half minutes).
bench-ui: build
	LANG=en_US.UTF-8 FEEDSCOPE_TAGS=$(TAGS) FEEDSCOPE_UI_HARNESS=1 $(XVFB) $(GO) test -tags $(TAGS) -run TestUIUnderFirehose -v -count 1 ./cmd/feedscope

# soak: the engine on the firehose for three minutes, RSS every 10 s.
soak: deps
	$(GO) run ./cmd/feedbench --soak 3m

# --- packaging -----------------------------------------------------------------------
# image: the Dockerfile's static feedscope-cli image, with docker or podman
# (ENGINE=podman to choose). Without a client or a running engine it says so and
# stops; it fails the make only with REQUIRE_ENGINE=1 (for CI that must build it).
IMAGE  ?= feedscope-cli
ENGINE ?= $(shell command -v docker 2>/dev/null || command -v podman 2>/dev/null)
# ENGINE_FLAGS go before the engine's verb (podman's --runtime runc), CONTAINER_FLAGS
# after both build and run (--ulimit …); GO_IMAGE replaces the build stage's golang:1.26.
ENGINE_FLAGS ?=
CONTAINER_FLAGS ?=
GO_IMAGE ?= golang:1.26
image:
	@fail() { echo "make image: $$1" >&2; if [ "$(REQUIRE_ENGINE)" = 1 ]; then exit 1; fi; echo "make image: skipped (REQUIRE_ENGINE=1 makes this an error)" >&2; exit 0; }; \
	if [ -z "$(ENGINE)" ]; then fail "neither docker nor podman is installed"; fi; \
	if ! $(ENGINE) version --format '{{.Server.Version}}' >/dev/null 2>&1 && ! $(ENGINE) info >/dev/null 2>&1; then \
		fail "$(ENGINE) is installed but no container engine answers (is the daemon running? try: $(ENGINE) info)"; fi; \
	$(ENGINE) $(ENGINE_FLAGS) build $(CONTAINER_FLAGS) --build-arg GO_IMAGE=$(GO_IMAGE) --build-arg VERSION=$$(git describe --always --dirty 2>/dev/null || echo dev) -t $(IMAGE) . && \
	$(ENGINE) $(ENGINE_FLAGS) run --rm $(CONTAINER_FLAGS) $(IMAGE) version && \
	$(ENGINE) $(ENGINE_FLAGS) run --rm $(CONTAINER_FLAGS) $(IMAGE) tail --demo --quiet --dialect misskey \
		--sub '{"channel":"localTimeline"}' --count 3 --duration 30s && \
	echo "built $(IMAGE): docker run --rm -p 8080:8080 $(IMAGE)"

# check-slim: the headless binary alone in a Debian minbase root (debian:bookworm-slim's
# base; no X11, GL or Fyne libraries), run chrooted with an empty environment. The root is
# built once with debootstrap from Debian's mirror into .cache/ (a few minutes); needs root.
SLIM_ROOT ?= .cache/slimroot
check-slim: cli
	@command -v debootstrap >/dev/null 2>&1 || (DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq debootstrap)
	@[ -f $(SLIM_ROOT)/etc/debian_version ] || { echo "building a Debian bookworm minbase root in $(SLIM_ROOT)"; \
		rm -rf $(SLIM_ROOT).tmp && mkdir -p $(dir $(SLIM_ROOT)) && $(SUDO) debootstrap --variant=minbase bookworm $(SLIM_ROOT).tmp http://deb.debian.org/debian >/dev/null && mv $(SLIM_ROOT).tmp $(SLIM_ROOT); }
	$(SUDO) env FEEDSCOPE_SLIM_ROOT=$(abspath $(SLIM_ROOT)) $(shell command -v $(GO)) test -tags $(TAGS) -count 1 -run 'TestRunsInDebianSlimRoot|TestRunsAloneInEmptyRoot|TestBinaryIsStatic' -v ./cmd/feedscope-cli

# The fyne tool bumps Build in FyneApp.toml on every run: it works on a copy.
package: build $(FYNE_TOOL)
	@rm -rf dist && mkdir -p dist/pkg && cp FyneApp.toml dist/pkg/ && cp -r assets dist/pkg/ && cp $(BIN) dist/pkg/feedscope
	cd dist/pkg && $(FYNE_TOOL) package -os linux --exe feedscope --name Feedscope --icon assets/icon.png --release
	mv dist/pkg/*.tar.xz dist/ && rm -rf dist/pkg
	@ls -l dist/

clean:
	rm -rf bin dist
