; Inno Setup 6 script: wraps the PyInstaller folder dist\cnnviz into a Windows installer.
;
;   pyinstaller --noconfirm --distpath dist --workpath build\pyinstaller packaging\cnnviz.spec
;   iscc /DAppVersion=0.1.0 packaging\windows\cnnviz.iss
;
; gives dist\cnnviz-0.1.0-windows-x64-setup.exe (plus .bin slices: the CUDA build of torch is
; larger than one setup file may be).  Installs per user or for all users (the user chooses),
; adds a Start menu entry, registers "Open with" for the image types the augmentation studio
; reads and for Python model files, and removes all of it on uninstall.

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#define AppId "io.github.cnnviz.CnnViz"
#define ExeName "cnnviz.exe"
#define ImageProgId "io.github.cnnviz.CnnViz.image"
#define ModelProgId "io.github.cnnviz.CnnViz.model"

[Setup]
; The braces are doubled because Inno Setup reads a single "{" as the start of a constant.
AppId={{C44553B0-EEDB-57B8-AFDA-AAFDDA6F37A5}
AppName=cnnviz
AppVersion={#AppVersion}
AppVerName=cnnviz {#AppVersion}
AppPublisher=The cnnviz authors
AppPublisherURL=https://github.com/cnnviz/cnnviz
AppSupportURL=https://github.com/cnnviz/cnnviz/issues
AppCopyright=MIT licence, the cnnviz authors
DefaultDirName={autopf}\cnnviz
DefaultGroupName=cnnviz
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
ChangesAssociations=yes
SourceDir=..\..
OutputDir=dist
OutputBaseFilename=cnnviz-{#AppVersion}-windows-x64-setup
SetupIconFile=cnnviz\resources\icons\cnnviz.ico
UninstallDisplayIcon={app}\{#ExeName}
WizardStyle=modern
Compression=lzma2/normal
SolidCompression=no
DiskSpanning=yes
DiskSliceSize=max

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "dist\cnnviz\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\cnnviz"; Filename: "{app}\{#ExeName}"; AppUserModelID: "{#AppId}"; Comment: "See inside the classic convolutional networks"
Name: "{autodesktop}\cnnviz"; Filename: "{app}\{#ExeName}"; AppUserModelID: "{#AppId}"; Tasks: desktopicon

[Registry]
; The program's own keys: Explorer's "Open with" list and its icon.
Root: HKA; Subkey: "Software\Classes\Applications\{#ExeName}"; ValueType: string; ValueName: "FriendlyAppName"; ValueData: "cnnviz"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\Applications\{#ExeName}\shell\open\command"; ValueType: string; ValueData: """{app}\{#ExeName}"" ""%1"""
Root: HKA; Subkey: "Software\Classes\Applications\{#ExeName}\SupportedTypes"; ValueType: string; ValueName: ".jpg"; ValueData: ""
Root: HKA; Subkey: "Software\Classes\Applications\{#ExeName}\SupportedTypes"; ValueType: string; ValueName: ".jpeg"; ValueData: ""
Root: HKA; Subkey: "Software\Classes\Applications\{#ExeName}\SupportedTypes"; ValueType: string; ValueName: ".png"; ValueData: ""
Root: HKA; Subkey: "Software\Classes\Applications\{#ExeName}\SupportedTypes"; ValueType: string; ValueName: ".bmp"; ValueData: ""
Root: HKA; Subkey: "Software\Classes\Applications\{#ExeName}\SupportedTypes"; ValueType: string; ValueName: ".gif"; ValueData: ""
Root: HKA; Subkey: "Software\Classes\Applications\{#ExeName}\SupportedTypes"; ValueType: string; ValueName: ".tif"; ValueData: ""
Root: HKA; Subkey: "Software\Classes\Applications\{#ExeName}\SupportedTypes"; ValueType: string; ValueName: ".tiff"; ValueData: ""
Root: HKA; Subkey: "Software\Classes\Applications\{#ExeName}\SupportedTypes"; ValueType: string; ValueName: ".webp"; ValueData: ""
Root: HKA; Subkey: "Software\Classes\Applications\{#ExeName}\SupportedTypes"; ValueType: string; ValueName: ".py"; ValueData: ""
; Two ProgIDs, offered (never forced) for their extensions through OpenWithProgids.
Root: HKA; Subkey: "Software\Classes\{#ImageProgId}"; ValueType: string; ValueData: "Image (cnnviz)"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\{#ImageProgId}\DefaultIcon"; ValueType: string; ValueData: "{app}\{#ExeName},0"
Root: HKA; Subkey: "Software\Classes\{#ImageProgId}\shell\open\command"; ValueType: string; ValueData: """{app}\{#ExeName}"" ""%1"""
Root: HKA; Subkey: "Software\Classes\{#ModelProgId}"; ValueType: string; ValueData: "Python model (cnnviz)"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\{#ModelProgId}\DefaultIcon"; ValueType: string; ValueData: "{app}\{#ExeName},0"
Root: HKA; Subkey: "Software\Classes\{#ModelProgId}\shell\open\command"; ValueType: string; ValueData: """{app}\{#ExeName}"" ""%1"""
Root: HKA; Subkey: "Software\Classes\.jpg\OpenWithProgids"; ValueType: string; ValueName: "{#ImageProgId}"; ValueData: ""; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\.jpeg\OpenWithProgids"; ValueType: string; ValueName: "{#ImageProgId}"; ValueData: ""; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\.png\OpenWithProgids"; ValueType: string; ValueName: "{#ImageProgId}"; ValueData: ""; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\.bmp\OpenWithProgids"; ValueType: string; ValueName: "{#ImageProgId}"; ValueData: ""; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\.gif\OpenWithProgids"; ValueType: string; ValueName: "{#ImageProgId}"; ValueData: ""; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\.tif\OpenWithProgids"; ValueType: string; ValueName: "{#ImageProgId}"; ValueData: ""; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\.tiff\OpenWithProgids"; ValueType: string; ValueName: "{#ImageProgId}"; ValueData: ""; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\.webp\OpenWithProgids"; ValueType: string; ValueName: "{#ImageProgId}"; ValueData: ""; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\.py\OpenWithProgids"; ValueType: string; ValueName: "{#ModelProgId}"; ValueData: ""; Flags: uninsdeletevalue

[Run]
Filename: "{app}\{#ExeName}"; Description: "{cm:LaunchProgram,cnnviz}"; Flags: nowait postinstall skipifsilent
