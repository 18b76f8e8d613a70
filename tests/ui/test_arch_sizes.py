"""Sizes in bytes read in decimal units (1 MB is 10⁶ bytes), as disks and file managers
count them, so a student who multiplies parameters by four gets the number shown."""

from __future__ import annotations

from cnnviz.ui.arch import formatting as fmt


def test_sizes_are_decimal_units():
    assert fmt.nbytes(6_624_904 * 4) == "26.5 MB"  # GoogLeNet's weights in float32
    assert fmt.nbytes(61_706 * 4) == "246.8 kB"
    assert fmt.nbytes(999_960) == "1.0 MB"  # never "1000.0 kB"
    assert fmt.nbytes(2_000_000_000) == "2.0 GB"
    assert fmt.nbytes(512) == "512 B"
    assert fmt.nbytes(None) == "–"


def test_details_give_the_size_on_disk_in_decimal_megabytes(arch):
    report = arch.report
    text = arch.details.toPlainText()
    size = report.totals.size_bytes
    assert size == report.totals.params * report.dtype_bytes
    assert f"Size on disk{fmt.nbytes(size)}" in text.replace("\t", "").replace("\n", "")
    assert f"{size / 1e3:.1f} kB" in text
