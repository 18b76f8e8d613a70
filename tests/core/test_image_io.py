"""The loader on every kind of file a student may drop in, good and bad (tests write them)."""

import struct
import zlib

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from cnnviz.core.augment.image_io import (
    iter_image_files,
    load_image,
    probe_image,
    save_image,
)
from cnnviz.core.errors import ImageLoadError, ImageSaveError


def gradient(h=30, w=40):
    y, x = np.mgrid[0:h, 0:w]
    return np.stack([x * 6, y * 8, np.full_like(x, 90)], -1).astype(np.uint8)


@pytest.mark.parametrize("suffix", [".png", ".bmp", ".tif", ".webp", ".gif", ".jpg"])
def test_each_format_loads_as_rgb_uint8(tmp_path, suffix):
    img = gradient()
    path = tmp_path / f"pic{suffix}"
    options = {"lossless": True} if suffix == ".webp" else {}
    Image.fromarray(img).save(path, **options)
    out = load_image(path)
    assert out.shape == (30, 40, 3) and out.dtype == np.uint8
    tolerance = {".jpg": 12, ".gif": 40}.get(suffix, 0)
    assert np.abs(out.astype(int) - img).mean() <= tolerance


def test_exif_orientation_is_applied(tmp_path):
    img = np.zeros((20, 40, 3), np.uint8)
    img[:, :20] = (255, 0, 0)  # left half red, right half blue: a picture lying on its side
    img[:, 20:] = (0, 0, 255)
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 clockwise to display"
    path = tmp_path / "phone.jpg"
    Image.fromarray(img).save(path, exif=exif, quality=95)
    out = load_image(path)
    assert out.shape == (40, 20, 3)
    assert out[5, 10, 0] > 200 and out[35, 10, 2] > 200  # red on top, blue below
    assert probe_image(path).width == 20 and probe_image(path).height == 40
    small = load_image(path, max_side=10)
    assert small.shape == (10, 5, 3)


def test_cmyk_jpeg_becomes_rgb(tmp_path):
    path = tmp_path / "print.jpg"
    Image.new("CMYK", (16, 12), (0, 255, 255, 0)).save(path)  # pure red ink-wise
    out = load_image(path)
    assert out.shape == (12, 16, 3)
    assert out[..., 0].mean() > 200 and out[..., 1].mean() < 50


def test_sixteen_bit_png_is_scaled_to_eight_bits(tmp_path):
    deep = (np.arange(64, dtype=np.uint16).reshape(8, 8) * 1000).astype(np.uint16)
    path = tmp_path / "deep.png"
    Image.fromarray(deep).save(path)
    out = load_image(path)
    assert out.shape == (8, 8, 3)
    assert np.array_equal(out[..., 0], np.rint(deep / 257).astype(np.uint8))
    assert np.array_equal(out[..., 0], out[..., 2])


def test_sixteen_bit_colour_png_keeps_its_high_byte(tmp_path):
    h, w = 4, 5
    deep = (np.arange(h * w * 3, dtype=np.uint16).reshape(h, w, 3) * 1111).astype(">u2")
    rows = b"".join(b"\x00" + deep[y].tobytes() for y in range(h))
    header = struct.pack(">IIBBBBB", w, h, 16, 2, 0, 0, 0)  # 16 bits, truecolour
    path = tmp_path / "deep_rgb.png"
    path.write_bytes(_png(header, zlib.compress(rows)))
    out = load_image(path)
    assert out.shape == (h, w, 3)
    assert np.abs(out.astype(int) - deep.astype(int) // 257).max() <= 1


def test_float_tiff_is_read_as_zero_to_one(tmp_path):
    values = np.linspace(0.0, 1.0, 64, dtype=np.float32).reshape(8, 8)
    path = tmp_path / "float.tif"
    Image.fromarray(values).save(path)
    out = load_image(path)
    assert out[0, 0, 0] == 0 and out[-1, -1, 0] == 255
    assert np.array_equal(out[..., 0], np.rint(values * 255).astype(np.uint8))


def test_greyscale_and_black_and_white_repeat_into_three_channels(tmp_path):
    Image.fromarray(gradient()[..., 0]).save(tmp_path / "grey.png")
    Image.fromarray(gradient()[..., 0] > 100).save(tmp_path / "bw.png")
    for name in ("grey.png", "bw.png"):
        out = load_image(tmp_path / name)
        assert np.array_equal(out[..., 0], out[..., 1]) and np.array_equal(out[..., 1], out[..., 2])


def test_transparency_is_composited_on_white(tmp_path):
    rgba = np.zeros((10, 10, 4), np.uint8)
    rgba[..., 0] = 255
    rgba[:, 5:, 3] = 255  # left half fully transparent, right half opaque red
    path = tmp_path / "logo.png"
    Image.fromarray(rgba).save(path)
    out = load_image(path)
    assert (out[:, :5] == 255).all()
    assert (out[:, 5:] == (255, 0, 0)).all()


def test_animated_palette_gif_gives_its_first_frame(tmp_path):
    red = Image.new("RGB", (12, 12), (255, 0, 0)).convert("P")
    blue = Image.new("RGB", (12, 12), (0, 0, 255)).convert("P")
    green = Image.new("RGB", (12, 12), (0, 255, 0)).convert("P")
    path = tmp_path / "anim.gif"
    red.save(path, save_all=True, append_images=[blue, green], duration=100, loop=0)
    assert probe_image(path).frames == 3
    out = load_image(path)
    assert (out == (255, 0, 0)).all()


def test_transparent_gif_is_composited_on_white(tmp_path):
    img = Image.new("P", (8, 8), 0)
    img.putpalette([0, 0, 0, 255, 0, 0] + [0] * 762)
    img.paste(1, (0, 0, 4, 8))
    path = tmp_path / "sprite.gif"
    img.save(path, transparency=0)
    out = load_image(path)
    assert (out[:, :4] == (255, 0, 0)).all() and (out[:, 4:] == 255).all()


def test_truncated_jpeg_is_refused_with_its_name(tmp_path):
    path = tmp_path / "cut.jpg"
    Image.fromarray(np.random.default_rng(0).integers(0, 256, (64, 64, 3), np.uint8)).save(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ImageLoadError, match=r"cut\.jpg.*truncated"):
        load_image(path)


@pytest.mark.parametrize(
    "name, content, reason",
    [
        ("notes.png", b"these are my lecture notes\n", "not a JPEG, PNG"),
        ("empty.jpg", b"", "empty"),
        ("half.png", b"\x89PNG\r\n\x1a\n\x00\x00", "not a JPEG, PNG|damaged|truncated"),
    ],
)
def test_non_images_are_refused_with_one_sentence(tmp_path, name, content, reason):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ImageLoadError, match=reason) as err:
        load_image(path)
    message = str(err.value)
    assert name in message and message.endswith(".") and "\n" not in message


def test_missing_files_and_folders_are_refused(tmp_path):
    with pytest.raises(ImageLoadError, match="does not exist"):
        load_image(tmp_path / "gone.png")
    with pytest.raises(ImageLoadError, match="folder"):
        load_image(tmp_path)


def _png(header: bytes, compressed: bytes) -> bytes:
    """A PNG file written by hand, for headers Pillow would not write."""
    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", compressed)
            + chunk(b"IEND", b""))


def _png_claiming(width, height):
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return _png(header, zlib.compress(b"\x00" * 64))


def test_a_header_claiming_a_huge_picture_is_refused_as_a_bomb(tmp_path):
    path = tmp_path / "bomb.png"
    path.write_bytes(_png_claiming(100_000, 100_000))
    with pytest.raises(ImageLoadError, match="decompression bomb"):
        load_image(path)


def test_the_bomb_limit_follows_pillows_setting(tmp_path, monkeypatch):
    path = tmp_path / "big.png"
    Image.fromarray(gradient(60, 60)).save(path)
    assert load_image(path).shape == (60, 60, 3)
    # Between the limit and twice the limit Pillow only warns; cnnviz refuses that too.
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 2500)
    with pytest.raises(ImageLoadError, match="bomb"):
        load_image(path)


def test_large_photos_are_shrunk_while_decoding(tmp_path):
    path = tmp_path / "large.jpg"
    y, x = np.mgrid[0:1200, 0:1600]
    Image.fromarray(np.stack([x % 256, y % 256, (x // 7) % 256], -1).astype(np.uint8)).save(path)
    preview = load_image(path, max_side=400)
    assert preview.shape == (300, 400, 3)
    capped = load_image(path, max_pixels=480_000)
    assert capped.shape[0] * capped.shape[1] <= 480_000
    assert capped.shape[1] / capped.shape[0] == pytest.approx(4 / 3, rel=0.01)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=300), st.sampled_from([".png", ".jpg", ".gif", ".tif", ".webp", ".bmp"]))
def test_random_bytes_never_crash_the_loader(tmp_path, data, suffix):
    path = tmp_path / f"junk{suffix}"
    # Start some with a real signature so the decoders get past the header.
    prefix = {".png": b"\x89PNG\r\n\x1a\n", ".gif": b"GIF89a", ".jpg": b"\xff\xd8\xff"}.get(suffix, b"")
    path.write_bytes(prefix + data)
    try:
        out = load_image(path)
    except ImageLoadError as exc:
        assert path.name in str(exc)
    else:
        assert out.dtype == np.uint8 and out.ndim == 3 and out.shape[2] == 3


def test_folders_expand_and_non_images_are_reported_once(tmp_path):
    (tmp_path / "sub").mkdir()
    Image.fromarray(gradient()).save(tmp_path / "b.png")
    Image.fromarray(gradient()).save(tmp_path / "sub" / "a.JPG")
    (tmp_path / "readme.txt").write_text("hello")
    (tmp_path / ".DS_Store").write_bytes(b"\0")
    found = iter_image_files([tmp_path, tmp_path / "b.png", tmp_path / "missing.png"])
    assert [p.name for p in found] == ["b.png", "a.JPG"]
    assert [p.name for p in found.skipped] == ["readme.txt", "missing.png"]


def test_save_image_is_atomic_deterministic_and_reads_back(tmp_path):
    img = gradient()
    first = save_image(img, tmp_path / "out.png").read_bytes()
    second = save_image(img, tmp_path / "out.png").read_bytes()
    assert first == second
    assert np.array_equal(load_image(tmp_path / "out.png"), img)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.png"]  # no temp file left
    save_image(img, tmp_path / "out.jpg")
    assert np.abs(load_image(tmp_path / "out.jpg").astype(int) - img).mean() < 3
    with pytest.raises(ImageSaveError, match="must end in"):
        save_image(img, tmp_path / "out.xyz")
    with pytest.raises(ImageSaveError, match="Cannot save"):
        save_image(img, tmp_path / "no-such-folder" / "out.png")
