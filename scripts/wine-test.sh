#!/usr/bin/env bash
# The Windows installer under wine, in a throwaway prefix on Xvfb: checks
# its signature (osslsigncode verify), installs silently (/S) for the user,
# checks the program, Start-menu entry, uninstall entry and autostart value,
# starts the app and screenshots its window (not blank: the first-run
# wizard, which says git-annex is missing), then uninstalls silently and
# checks everything is gone.
# Usage: scripts/wine-test.sh SETUP.exe OUTDIR
# Wine 8 lacks bcryptprimitives.dll, which Go programs need: the test builds
# a stand-in with mingw (scripts/wine/, test only, never shipped).
# WINE_TEST_WAIT: seconds to wait for the window (default 180).
set -euo pipefail
tag=wine-test
setup=$(realpath "$1")
outdir=$2
. "$(dirname "$0")/gui-lib.sh"
here=$(cd "$(dirname "$0")" && pwd)
need_tools wine wineserver x86_64-w64-mingw32-gcc osslsigncode xdotool import identify

rm -rf "$outdir" && mkdir -p "$outdir"
outdir=$(realpath "$outdir")
export WINEPREFIX=$outdir/prefix WINEDEBUG=-all WINEARCH=win64
export WINEDLLOVERRIDES="mscoree,mshtml=;bcryptprimitives=n"
wine_cleanup() {
  wineserver -k 2>/dev/null || true # only this prefix's processes
  gui_cleanup
}
trap wine_cleanup EXIT
trap 'exit 130' INT TERM

# The signature, before anything runs.
cert=${WINE_TEST_CAFILE:-out/windows/testcert/cert.pem}
osslsigncode verify -CAfile "$cert" -in "$setup" >"$outdir/verify.log" 2>&1 \
  || { cat "$outdir/verify.log"; die "osslsigncode cannot verify the installer's signature"; }
grep -q "Signature verification: ok" "$outdir/verify.log" || { cat "$outdir/verify.log"; die "the installer's signature does not verify"; }
echo "$tag: the installer's signature verifies ($(grep -m1 'Subject:' "$outdir/verify.log" | sed 's/^[[:space:]]*//'))"

use_display
wineboot -i >"$outdir/wineboot.log" 2>&1 || { tail "$outdir/wineboot.log"; die "wineboot failed"; }
wineserver -w
x86_64-w64-mingw32-gcc -shared -O2 -o "$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll" \
  "$here/wine/bcryptprimitives.c" "$here/wine/bcryptprimitives.def" -ladvapi32

user_dir=$(find "$WINEPREFIX/drive_c/users" -mindepth 1 -maxdepth 1 -type d ! -name Public | head -1)
inst=$user_dir/AppData/Local/Programs/Shardkeeper
menu=$user_dir/AppData/Roaming/Microsoft/Windows/Start\ Menu/Programs/Shardkeeper.lnk
uninst='HKCU\Software\Microsoft\Windows\CurrentVersion\Uninstall\org.shardkeeper.app'
run='HKCU\Software\Microsoft\Windows\CurrentVersion\Run'

wine "$setup" /S >"$outdir/install.log" 2>&1 || die "the silent install failed (see $outdir/install.log)"
wineserver -w
for f in "$inst/shardkeeper.exe" "$inst/uninstall.exe" "$menu"; do
  [ -e "$f" ] || die "the installer did not create ${f#"$WINEPREFIX"/}"
done
wine reg query "$uninst" /v UninstallString >"$outdir/reg.log" 2>&1 || die "no uninstall entry under $uninst"
wine reg query "$run" /v Shardkeeper >>"$outdir/reg.log" 2>&1 || die "no autostart value Shardkeeper under $run"
grep -q 'AppData\\Local\\Programs\\Shardkeeper\\shardkeeper.exe' "$outdir/reg.log" || { cat "$outdir/reg.log"; die "the autostart value does not run the installed program"; }
osslsigncode verify -CAfile "$cert" -in "$inst/shardkeeper.exe" >"$outdir/verify-exe.log" 2>&1 \
  || die "the installed program's signature does not verify (see $outdir/verify-exe.log)"
ver=$(wine "$inst/shardkeeper.exe" --version 2>&1 | tr -d '\r') || die "the installed program does not run: $ver"
[[ $ver == "shardkeeper version "* ]] || die "shardkeeper.exe --version says \"$ver\""
echo "$tag: $ver"
echo "$tag: installed silently under ${inst#"$WINEPREFIX"/drive_c/}, with Start-menu entry, uninstall entry and autostart"

start_app "$outdir/app.log" wine "$inst/shardkeeper.exe"
wid=$(wait_window Shardkeeper "${WINE_TEST_WAIT:-180}" "$outdir/app.log")
echo "$tag: window \"$(xdotool getwindowname "$wid")\" is up"
# Wait until it has drawn: a screenshot with text and widgets.
for _ in $(seq 60); do
  import -window root "$outdir/window.png"
  (( $(identify -format '%k' "$outdir/window.png") >= 16 )) && break
  app_alive || die "the app exited while drawing (see $outdir/app.log)"
  sleep 1
done
check_not_blank "$outdir/window.png"

wineserver -k 2>/dev/null || true
wait "$app_pid" 2>/dev/null || true
app_pid=""
wine "$inst/uninstall.exe" /S >"$outdir/uninstall.log" 2>&1 || die "the silent uninstall failed (see $outdir/uninstall.log)"
wineserver -w # the uninstaller runs on from a copy in TEMP
for f in "$inst/shardkeeper.exe" "$inst/uninstall.exe" "$inst" "$menu"; do
  [ ! -e "$f" ] || die "the uninstaller left ${f#"$WINEPREFIX"/} behind"
done
! wine reg query "$uninst" >/dev/null 2>&1 || die "the uninstaller left the uninstall entry behind"
! wine reg query "$run" /v Shardkeeper >/dev/null 2>&1 || die "the uninstaller left the autostart value behind"
wineserver -w
echo "$tag: ok (signed; installs silently; the window shows; uninstalls without a trace)"
