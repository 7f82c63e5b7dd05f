# Shardkeeper. `make run` starts the demo; `make test` runs every test.
# Everything but the desktop build is compiled with CGO_ENABLED=0 and
# -tags nogui, so the slow cgo (GLFW) build happens once per run.

GO      ?= go
BIN     ?= bin
OUT     ?= out
# The version: the VERSION file, plus git's commit off a release tag
# (scripts/version.sh). Every binary and package takes it from here.
# Computed once per make run (:=), so a commit during a run can't split it.
ifndef VERSION
VERSION := $(shell scripts/version.sh)
endif
LDFLAGS := -s -w -X github.com/shardkeeper/shardkeeper/internal/version.Version=$(VERSION)
NOCGO   := CGO_ENABLED=0
# The work tree as make found it: package-test checks nothing changed it.
TREE_BEFORE := $(shell git status --porcelain 2>/dev/null | md5sum)
GOTAGS  := -tags nogui

.PHONY: all deps build gui headless hub run test unit test-faults gui-test package package-test lint bench bench-smoke bench-scale bench-scale-smoke bench-branch clean \
        package-linux package-deb package-windows package-darwin deb-test wine-test

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

test: deps lint unit test-faults gui-test package-test

lint:
	@fmt=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$fmt" ]; then echo "gofmt needed:"; echo "$$fmt"; exit 1; fi
	$(NOCGO) $(GO) vet $(GOTAGS) ./...
	$(NOCGO) $(GO) test -count=1 -run TestNoFunctionOverTheLimit ./internal/funclen
	@grep -qx "Version = \"$$(cat VERSION)\"" FyneApp.toml || { echo "FyneApp.toml's Version differs from the VERSION file"; exit 1; }

# Unit, integration and end-to-end tests: real git, git-annex, git
# http-backend and HTTP servers on loopback.
unit:
	$(NOCGO) $(GO) test $(GOTAGS) -count=1 -timeout 20m ./...

# The fault suite (docs/reliability.md): the real binaries on loopback,
# killed with SIGKILL, out of disk (tmpfs), fed a faulty origin, hostile
# donors, other local users, vfat storage, many donors pushing at once.
# Mounts and other users need root (CI is root); without it those tests
# skip and say so. Part of make test; bounded to 15 minutes on 2 cores
# (the agent's TestFault* tests also run in unit).
test-faults:
	$(NOCGO) $(GO) vet -tags nogui,faults ./test/faults/
	@start=$$(date +%s); \
	$(NOCGO) $(GO) test -tags nogui,faults -count=1 -parallel 4 -timeout 15m ./test/faults/ && \
	$(NOCGO) $(GO) test $(GOTAGS) -count=1 -run '^TestFault' ./agent/ && \
	echo "test-faults: done in $$(( $$(date +%s) - start )) s"

# The real desktop window under Xvfb: builds the GUI once, screenshots the
# demo's screens, then drives its tray menu over DBus.
gui-test: gui
	scripts/gui-smoke.sh $(OUT)/gui -- $(BIN)/shardkeeper demo --files 120
	scripts/tray-test.sh $(OUT)/tray $(BIN)/shardkeeper

# Every package this machine can build, in one run (the cgo builds come
# from GOCACHE after the first time): the per-user Linux tarball, the .deb,
# the signed per-user Windows installer and the pure-Go agent and hub for
# macOS. Nothing here changes a tracked file.
package: package-linux package-deb package-windows package-darwin

# A per-user Linux package: the desktop build, its menu entry and icon, and
# an installer that needs no root.
PKG := shardkeeper-$(VERSION)-linux-$(shell go env GOARCH)
package-linux: gui
	rm -rf $(OUT)/pkg && mkdir -p $(OUT)/pkg/$(PKG) dist
	cp $(BIN)/shardkeeper installer/linux/install.sh installer/linux/uninstall.sh \
	   packaging/linux/org.shardkeeper.app.desktop $(OUT)/pkg/$(PKG)/
	cp assets/Icon.png $(OUT)/pkg/$(PKG)/org.shardkeeper.app.png
	tar -C $(OUT)/pkg -czf dist/$(PKG).tar.gz $(PKG)
	@echo "dist/$(PKG).tar.gz"

# The Debian package (Depends: git-annex): /usr/bin/shardkeeper, menu entry,
# hicolor icons, AppStream metainfo.
DEB := dist/shardkeeper_$(VERSION)_$(shell dpkg --print-architecture 2>/dev/null || go env GOARCH).deb
package-deb: gui
	scripts/build-deb.sh $(BIN)/shardkeeper $(VERSION) dist

# The Windows desktop app, cross-built with mingw, in a per-user NSIS
# installer; both signed (a throwaway test certificate unless
# SHARDKEEPER_SIGN_* name the real one: scripts/sign-windows.sh).
SETUP := dist/shardkeeper-$(VERSION)-windows-amd64-setup.exe
package-windows: deps
	scripts/build-windows.sh $(VERSION) "$(LDFLAGS)" $(OUT)/windows dist

# macOS: the agent (CLI, no desktop app: Fyne needs Apple's SDK) and the
# hub, pure Go. The app bundle is built on a Mac: docs/packaging.md.
package-darwin:
	@mkdir -p dist
	for arch in amd64 arm64; do \
	  d=$(OUT)/darwin-$$arch/shardkeeper-$(VERSION)-darwin-$$arch && rm -rf $$d && mkdir -p $$d && \
	  GOOS=darwin GOARCH=$$arch $(NOCGO) $(GO) build $(GOTAGS) -trimpath -ldflags "$(LDFLAGS)" -o $$d/shardkeeper . && \
	  GOOS=darwin GOARCH=$$arch $(NOCGO) $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o $$d/shardhub ./hub/cmd/shardhub && \
	  tar -C $$(dirname $$d) -czf dist/shardkeeper-$(VERSION)-darwin-$$arch.tar.gz $$(basename $$d) || exit 1; \
	  echo "dist/shardkeeper-$(VERSION)-darwin-$$arch.tar.gz"; \
	done

# Installs every package as a donor would and removes it again: the
# tarball in a throwaway HOME, the .deb with dpkg (as root: install, run,
# purge; lintian, desktop-file-validate, appstreamcli), the Windows
# installer under wine (silent install, the window on Xvfb, uninstall,
# the signature).
package-test: package
	scripts/package-test.sh dist/$(PKG).tar.gz
	scripts/deb-test.sh $(DEB)
	scripts/wine-test.sh $(SETUP) $(OUT)/wine
	@[ "$$(git status --porcelain 2>/dev/null | md5sum)" = "$(TREE_BEFORE)" ] || \
	  { echo "package-test: building and packaging changed the work tree:"; git status --short; exit 1; }

deb-test: package-deb
	scripts/deb-test.sh $(DEB)

wine-test: package-windows
	scripts/wine-test.sh $(SETUP) $(OUT)/wine

# Every benchmark in turn, each timed, against its baseline in the same
# run (git-annex, curl, sha256sum); the figures, the machine and the
# command are written into docs/benchmarks.md ("The latest make bench").
# The desktop app's memory is measured on the cgo build (gui).
bench: gui
	scripts/bench-all.sh full --record

# One small, one-iteration run of every benchmark, so none rots (CI: .ci/run
# runs it after make test). Speeds here mean nothing; nothing is recorded.
bench-smoke:
	scripts/bench-all.sh smoke

# The hub at a collection's real size (not part of make bench: at 2M files
# the build alone takes minutes): a thousand-dir MD5 table of N files built
# and served; build time and peak memory, hub start-up, memory and page
# times, pprof profiles in out/bench-scale (docs/benchmarks.md).
N ?= 2000000
bench-scale:
	N=$(N) OUT=$(OUT)/bench-scale scripts/bench-scale.sh

# One small run of it, so it does not rot (a line of make bench-smoke).
bench-scale-smoke:
	N=2000 PROFILE_SECONDS=1 OUT=$(OUT)/bench-scale-smoke scripts/bench-scale.sh

# Issue 16's simulation at its full size (not part of make bench: 100k keys
# for 24 months takes hours on a shared 2-core machine; docs/benchmarks.md,
# "Branch growth and compaction"). make bench runs it at 5,000 keys (about
# 6 minutes here under load); make bench-branch BRANCH_KEYS=10000 repeats the
# 10,000-key table (15 minutes).
BRANCH_KEYS ?= 100000
bench-branch:
	$(NOCGO) nice -n 19 $(GO) run ./hub/compact/sim/branchsim -keys $(BRANCH_KEYS) -months 24 -clone-every 6

clean:
	rm -rf $(BIN) $(OUT)
