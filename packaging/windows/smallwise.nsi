; Windows installer for Smallwise (NSIS 3). Installs the PyInstaller one-folder build for the
; current user (no administrator rights), with a Start menu entry and an uninstaller that keeps
; the user's conversations and models unless asked to delete them.
;
; makensis -DVERSION=0.1.0 -DPAYLOAD=build\dist\smallwise -DICON=build\icons\smallwise.ico ^
;          -DOUTFILE=build\Smallwise-0.1.0-setup.exe packaging\windows\smallwise.nsi
; (Linux: the same with -D…; packaging/windows/check_nsis.sh compiles it against a dummy payload.)

Unicode true
ManifestDPIAware true
SetCompressor /SOLID lzma

!ifndef VERSION | PAYLOAD | ICON | OUTFILE
  !error "define VERSION, PAYLOAD, ICON and OUTFILE (see the top of this file)"
!endif
!if ! /FileExists "${PAYLOAD}\Smallwise.exe"
  !error "${PAYLOAD}\Smallwise.exe is missing: build the app with packaging/smallwise.spec first"
!endif

!define APP "Smallwise"
!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\${APP}"
; platformdirs.user_data_dir("smallwise", appauthor=False) and friends on Windows.
!define USER_DATA "$LOCALAPPDATA\smallwise"

!include "MUI2.nsh"
!include "LogicLib.nsh"
!include "x64.nsh"
!include "FileFunc.nsh"

Name "${APP}"
OutFile "${OUTFILE}"
InstallDir "$LOCALAPPDATA\Programs\${APP}"
InstallDirRegKey HKCU "${UNINSTALL_KEY}" "InstallLocation"
RequestExecutionLevel user
BrandingText "${APP} ${VERSION}"

VIProductVersion "${VERSION}.0"
VIAddVersionKey "ProductName" "${APP}"
VIAddVersionKey "ProductVersion" "${VERSION}"
VIAddVersionKey "FileVersion" "${VERSION}"
VIAddVersionKey "FileDescription" "${APP} installer"
VIAddVersionKey "LegalCopyright" "Smallwise developers, Apache-2.0"

!define MUI_ICON "${ICON}"
!define MUI_UNICON "${ICON}"
!define MUI_ABORTWARNING
!define MUI_FINISHPAGE_RUN "$INSTDIR\Smallwise.exe"
!define MUI_FINISHPAGE_RUN_TEXT "Start ${APP}"

!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_LICENSE "../../LICENSE"  ; makensis works in this folder
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "English"

Function .onInit
  ${IfNot} ${RunningX64}
    MessageBox MB_ICONSTOP "${APP} needs 64-bit Windows." /SD IDOK
    Abort
  ${EndIf}
FunctionEnd

Section "Smallwise" SecApp
  SectionIn RO
  SetOutPath "$INSTDIR"
  ; An update replaces the program folder whole, so no file of an older version is left behind.
  ${If} ${FileExists} "$INSTDIR\Smallwise.exe"
    RMDir /r "$INSTDIR\_internal"
  ${EndIf}
  File /r "${PAYLOAD}\*.*"
  WriteUninstaller "$INSTDIR\Uninstall.exe"
  CreateShortcut "$SMPROGRAMS\${APP}.lnk" "$INSTDIR\Smallwise.exe" "" "$INSTDIR\Smallwise.exe" 0

  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayName" "${APP}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "Publisher" "Smallwise developers"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayIcon" "$INSTDIR\Smallwise.exe"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\Uninstall.exe"'
  WriteRegStr HKCU "${UNINSTALL_KEY}" "QuietUninstallString" '"$INSTDIR\Uninstall.exe" /S'
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoRepair" 1
  ${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "EstimatedSize" "$0"
SectionEnd

Section "Uninstall"
  ; Only a folder that holds Smallwise is removed whole (never a folder the user pointed at).
  ${If} ${FileExists} "$INSTDIR\Smallwise.exe"
    RMDir /r "$INSTDIR\_internal"
    Delete "$INSTDIR\Smallwise.exe"
    Delete "$INSTDIR\smallwise-cli.exe"
    Delete "$INSTDIR\Uninstall.exe"
    RMDir "$INSTDIR"
  ${EndIf}
  Delete "$SMPROGRAMS\${APP}.lnk"
  DeleteRegKey HKCU "${UNINSTALL_KEY}"
  ; Conversations and models stay unless the user says otherwise (silent uninstall keeps them).
  MessageBox MB_YESNO|MB_ICONQUESTION|MB_DEFBUTTON2 \
    "Also delete your conversations, settings and downloaded models?$\r$\n(${USER_DATA})" \
    /SD IDNO IDNO keep
    RMDir /r "${USER_DATA}"
  keep:
SectionEnd
