#!/usr/bin/env bash
# Cross-builds the Windows desktop app with mingw (cgo: Fyne/GLFW; about
# 5.5 minutes cold, seconds once GOCACHE has it), with its icon, manifest
# and version in the .exe, then the per-user NSIS installer; signs both
# (scripts/sign-windows.sh). Prints the installer's path.
# Usage: scripts/build-windows.sh VERSION LDFLAGS OUTDIR DISTDIR
set -euo pipefail
version=$1 ldflags=$2 out=$3 dist=$4
cd "$(dirname "$0")/.."
# Windows wants four numbers: 0.1.0 -> 0.1.0.0 (from the VERSION file).
IFS=. read -r a b c _ <<<"$(tr -d ' \n' < VERSION)"
num="${a:-0}.${b:-0}.${c:-0}.0"
mkdir -p "$out" "$dist"
go run ./assets/gen -package "$out/icons" >/dev/null

# The resource object (icon, manifest, version) Go links into the .exe; it
# has to sit in the main package's folder while building, and goes after.
syso=rsrc_windows_amd64.syso
trap 'rm -f "$syso"' EXIT
cat > "$out/shardkeeper.rc" <<RC
1 ICON "$PWD/$out/icons/shardkeeper.ico"
1 24 "$PWD/installer/windows/shardkeeper.manifest"
1 VERSIONINFO
FILEVERSION ${num//./,}
PRODUCTVERSION ${num//./,}
BEGIN
  BLOCK "StringFileInfo"
  BEGIN
    BLOCK "040904b0"
    BEGIN
      VALUE "CompanyName", "The Shardkeeper project"
      VALUE "FileDescription", "Shardkeeper"
      VALUE "FileVersion", "$version"
      VALUE "InternalName", "shardkeeper"
      VALUE "OriginalFilename", "shardkeeper.exe"
      VALUE "ProductName", "Shardkeeper"
      VALUE "ProductVersion", "$version"
    END
  END
  BLOCK "VarFileInfo"
  BEGIN
    VALUE "Translation", 0x409, 1200
  END
END
RC
x86_64-w64-mingw32-windres -O coff -o "$syso" "$out/shardkeeper.rc"
CGO_ENABLED=1 GOOS=windows GOARCH=amd64 CC=x86_64-w64-mingw32-gcc CGO_LDFLAGS="-l:libssp.a" \
  go build -trimpath -ldflags "$ldflags -H=windowsgui" -o "$out/shardkeeper-unsigned.exe" .
rm -f "$syso"
scripts/sign-windows.sh "$out/shardkeeper-unsigned.exe" "$out/shardkeeper.exe"

setup=$dist/shardkeeper-$version-windows-amd64-setup.exe
makensis -V2 -DVERSION="$version" -DNUMVERSION="$num" -DEXE="$PWD/$out/shardkeeper.exe" \
  -DICON="$PWD/$out/icons/shardkeeper.ico" -DOUTFILE="$PWD/$out/setup-unsigned.exe" \
  installer/windows/shardkeeper.nsi >/dev/null
scripts/sign-windows.sh "$out/setup-unsigned.exe" "$setup"
echo "$setup"
