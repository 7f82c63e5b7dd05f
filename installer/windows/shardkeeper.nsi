; Shardkeeper's Windows installer: per user, no admin rights. It installs
; under %LOCALAPPDATA%\Programs\Shardkeeper, adds a Start-menu entry, an
; entry in Settings > Apps (HKCU) and starts the app at login (HKCU Run).
; Built by scripts/build-windows.sh, which defines VERSION, NUMVERSION
; (four numbers), EXE, ICON and OUTFILE:
;   makensis -DVERSION=0.1.0 -DNUMVERSION=0.1.0.0 -DEXE=... -DICON=... -DOUTFILE=... shardkeeper.nsi
; Silent install: setup.exe /S   Silent removal: uninstall.exe /S

Unicode true
Target amd64-unicode
RequestExecutionLevel user
SetCompressor /SOLID lzma

!define APPNAME "Shardkeeper"
!define APPID "org.shardkeeper.app"
!define PUBLISHER "The Shardkeeper project"
!define UNINSTKEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\${APPID}"
!define RUNKEY "Software\Microsoft\Windows\CurrentVersion\Run"

Name "${APPNAME}"
OutFile "${OUTFILE}"
InstallDir "$LOCALAPPDATA\Programs\${APPNAME}"
InstallDirRegKey HKCU "${UNINSTKEY}" "InstallLocation"
BrandingText "${APPNAME} ${VERSION}"

VIProductVersion "${NUMVERSION}"
VIFileVersion "${NUMVERSION}"
VIAddVersionKey "ProductName" "${APPNAME}"
VIAddVersionKey "ProductVersion" "${VERSION}"
VIAddVersionKey "FileVersion" "${VERSION}"
VIAddVersionKey "FileDescription" "${APPNAME} installer"
VIAddVersionKey "CompanyName" "${PUBLISHER}"
VIAddVersionKey "LegalCopyright" "${PUBLISHER}"

!include "MUI2.nsh"
!define MUI_ICON "${ICON}"
!define MUI_UNICON "${ICON}"
!define MUI_FINISHPAGE_RUN "$INSTDIR\shardkeeper.exe"
!define MUI_FINISHPAGE_RUN_TEXT "Open Shardkeeper now"
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "English"

Section "Shardkeeper"
  SetOutPath "$INSTDIR"
  File "/oname=shardkeeper.exe" "${EXE}"
  WriteUninstaller "$INSTDIR\uninstall.exe"

  CreateShortcut "$SMPROGRAMS\${APPNAME}.lnk" "$INSTDIR\shardkeeper.exe" "" "$INSTDIR\shardkeeper.exe" 0

  WriteRegStr HKCU "${UNINSTKEY}" "DisplayName" "${APPNAME}"
  WriteRegStr HKCU "${UNINSTKEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINSTKEY}" "Publisher" "${PUBLISHER}"
  WriteRegStr HKCU "${UNINSTKEY}" "DisplayIcon" "$INSTDIR\shardkeeper.exe"
  WriteRegStr HKCU "${UNINSTKEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTKEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKCU "${UNINSTKEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKCU "${UNINSTKEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINSTKEY}" "NoRepair" 1
  SectionGetSize 0 $0
  WriteRegDWORD HKCU "${UNINSTKEY}" "EstimatedSize" $0

  ; The desktop app (tray icon and agent) at every login.
  WriteRegStr HKCU "${RUNKEY}" "${APPNAME}" '"$INSTDIR\shardkeeper.exe"'
SectionEnd

; Removes the program, its entries and both autostart values (the app's,
; and the agent's that Settings > Start at login adds). The donor's files
; and settings stay: `shardkeeper leave` gives the space back first.
Section "Uninstall"
  DeleteRegValue HKCU "${RUNKEY}" "${APPNAME}"
  DeleteRegValue HKCU "${RUNKEY}" "shardkeeper-agent"
  Delete "$SMPROGRAMS\${APPNAME}.lnk"
  Delete "$INSTDIR\shardkeeper.exe"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  DeleteRegKey HKCU "${UNINSTKEY}"
SectionEnd
