# Shardkeeper. `make run` starts the demo; `make test` runs every test.
# Everything but the desktop build is compiled with CGO_ENABLED=0 and
# -tags nogui, so the slow cgo (GLFW) build happens once per run.

GO      ?= go
BIN     ?= bin
OUT     ?= out
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X github.com/shardkeeper/shardkeeper/app.Version=$(VERSION)
NOCGO   := CGO_ENABLED=0
GOTAGS  := -tags nogui

.PHONY: all deps build gui headless hub run test unit gui-test package package-test lint bench clean

all: build

deps:
	@scripts/deps.sh

build: gui hub

# The desktop app (cgo: Fyne/GLFW). About 3 minutes cold, seconds after.
gui: deps
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN)/shardkeeper .

# The donor CLI and agent without the desktop app (pure Go).
headless:
	$(NOCGO) $(GO) build $(GOTAGS) -ldflags "$(LDFLAGS)" -o $(BIN)/shardkeeper-headless .

hub:
	$(NOCGO) $(GO) build -ldflags "$(LDFLAGS)" -o $(BIN)/shardhub ./hub/cmd/shardhub

run: build
	$(BIN)/shardkeeper demo

test: deps lint unit gui-test package-test

lint:
	@fmt=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$fmt" ]; then echo "gofmt needed:"; echo "$$fmt"; exit 1; fi
	$(NOCGO) $(GO) vet $(GOTAGS) ./...

# Unit, integration and end-to-end tests: real git, git-annex, git
# http-backend and HTTP servers on loopback.
unit:
	$(NOCGO) $(GO) test $(GOTAGS) -count=1 -timeout 20m ./...

# The real desktop window under Xvfb: builds the GUI once, screenshots the
# demo's screens, then drives its tray menu over DBus.
gui-test: gui
	scripts/gui-smoke.sh $(OUT)/gui -- $(BIN)/shardkeeper demo --files 120
	scripts/tray-test.sh $(OUT)/tray $(BIN)/shardkeeper

# A per-user Linux package: the desktop build, its menu entry and icon, and
# an installer that needs no root.
PKG := shardkeeper-$(VERSION)-linux-$(shell go env GOARCH)
package: gui
	rm -rf $(OUT)/pkg && mkdir -p $(OUT)/pkg/$(PKG) dist
	cp $(BIN)/shardkeeper installer/linux/install.sh installer/linux/uninstall.sh \
	   packaging/linux/org.shardkeeper.app.desktop $(OUT)/pkg/$(PKG)/
	cp assets/Icon.png $(OUT)/pkg/$(PKG)/org.shardkeeper.app.png
	tar -C $(OUT)/pkg -czf dist/$(PKG).tar.gz $(PKG)
	@echo "dist/$(PKG).tar.gz"

package-test: package
	scripts/package-test.sh dist/$(PKG).tar.gz

bench:
	$(NOCGO) $(GO) test $(GOTAGS) -run '^$$' -bench . -benchtime 3x ./...
	scripts/bench-vs-git-annex.sh
	scripts/bench-health-vs-git-annex.sh
	scripts/bench-restore.sh

clean:
	rm -rf $(BIN) $(OUT)
