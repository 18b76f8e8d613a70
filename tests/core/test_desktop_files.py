"""The desktop entry, metainfo and icons shipped in the package are valid and agree on one id."""

from __future__ import annotations

import configparser
import shutil
import subprocess
import xml.etree.ElementTree as ET

import pytest
from PIL import Image

from cnnviz import APP_ID, LICENSE, __version__, resources


def _tool(name: str) -> str:
    path = shutil.which(name)
    assert path, f"{name} is missing: apt-get install desktop-file-utils appstream (see .ci/run)"
    return path


def _entry() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, delimiters=("=",))
    parser.optionxform = str  # keys are case-sensitive
    parser.read(resources.DESKTOP_FILE, encoding="utf-8")
    return parser["Desktop Entry"]


def test_desktop_entry_passes_desktop_file_validate():
    out = subprocess.run([_tool("desktop-file-validate"), str(resources.DESKTOP_FILE)],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stdout + out.stderr
    problems = [line for line in out.stdout.splitlines() if "error:" in line or "warning:" in line]
    assert problems == []


def test_metainfo_passes_appstreamcli_validate():
    out = subprocess.run([_tool("appstreamcli"), "validate", "--no-net", "--explain",
                          str(resources.METAINFO_FILE)], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stdout + out.stderr
    assert not [line for line in out.stdout.splitlines() if line.startswith(("E:", "W:"))]


def test_desktop_entry_uses_the_application_id_everywhere():
    entry = _entry()
    assert resources.DESKTOP_FILE.name == f"{APP_ID}.desktop"
    assert entry["Version"] == "1.0"
    assert entry["Icon"] == APP_ID
    assert entry["StartupWMClass"] == APP_ID
    assert entry["Exec"] == "cnnviz %F"
    assert entry["TryExec"] == "cnnviz"
    categories = set(entry["Categories"].strip(";").split(";"))
    # One main category only, or menus list the application twice.
    main_categories = {"AudioVideo", "Audio", "Video", "Development", "Education", "Game",
                       "Graphics", "Network", "Office", "Science", "Settings", "System",
                       "Utility"}
    assert categories & main_categories == {"Education"}


def test_desktop_entry_offers_every_image_type_the_studio_reads():
    types = set(_entry()["MimeType"].strip(";").split(";"))
    images = {"image/jpeg", "image/png", "image/bmp", "image/gif", "image/tiff", "image/webp"}
    assert images <= types


def test_python_files_are_not_claimed():
    """Opening a .py file runs it, so "Open with" must not offer cnnviz for every script
    (a training script would start); model files open from the window or the command line."""
    types = set(_entry()["MimeType"].strip(";").split(";"))
    assert not {t for t in types if "python" in t}
    root = ET.parse(resources.METAINFO_FILE).getroot()
    assert not [m.text for m in root.iter("mediatype") if "python" in (m.text or "")]


def test_metainfo_names_the_same_application_release_and_licence():
    root = ET.parse(resources.METAINFO_FILE).getroot()
    assert root.findtext("id") == APP_ID
    assert root.find("launchable").text == resources.DESKTOP_FILE.name
    assert root.findtext("project_license") == LICENSE
    assert root.findtext("metadata_license") in {"CC0-1.0", "FSFAP"}
    assert [r.get("version") for r in root.iter("release")][0] == __version__
    assert len(root.findall("screenshots/screenshot")) >= 1
    assert root.find("content_rating") is not None


@pytest.mark.parametrize("size", resources.ICON_SIZES)
def test_icon_png_has_its_size_and_transparent_corners(size):
    with Image.open(resources.icon_png_path(size)) as image:
        assert image.size == (size, size)
        assert image.mode == "RGBA"
        assert image.getpixel((0, 0))[3] == 0, "the rounded corners must be transparent"
        assert image.getpixel((size // 2, size // 2))[3] == 255


def test_windows_and_macos_icons_hold_every_size():
    with Image.open(resources.ICO_PATH) as ico:
        assert {(16, 16), (32, 32), (48, 48), (256, 256)} <= set(ico.info["sizes"])
    with Image.open(resources.ICNS_PATH) as icns:
        assert {(16, 16, 2), (128, 128, 1), (512, 512, 2)} <= set(icns.info["sizes"])


def test_icon_svg_is_the_theme_source():
    root = ET.parse(resources.icon_svg_path()).getroot()
    assert root.tag.endswith("svg")
    assert root.get("viewBox") == "0 0 512 512"
